/**
 * External validation: a model's per-file outputs on a labelled folder from elsewhere → the report.
 * Pure (no Node, no DOM): the CLI's `validate` and the browser's check call this one function, so
 * their figures are equal by construction. Decoding, running the model and hashing stay with the
 * caller; this only counts and computes.
 *
 * Labels come from folders through a label map (folder → model class). Several folders may map to
 * one class; folders the map does not name are reported apart (how the model calls them, how often
 * refused), never scored. A file that failed counts as failed, named, and is in no figure.
 */
import type { ModelMetadata } from '../metadata';
import { decide } from '../postprocess';
import { assessInput } from '../refusal/assess';

export type VerdictOutcome = 'accepted' | 'warned' | 'refused';

/** The rules behind `outcome`, as the app applies them (contract/src/refusal). */
export const VERDICT_RULE =
  'refused: the not-a-chest-CT rule (checkChestCt) on the decoded pixels, no prediction; warned: OOD score above metadata.ood.threshold (assessInput), prediction kept';
import { binaryFigures, type BinaryFigures } from './binary';
import { expectedCalibrationError } from './calibration';
import { accuracyOf, argmax, confusionMatrix, majorityClass } from './classification';
import { proportion, type Proportion } from './proportion';
import { reliabilityCurve, type ReliabilityBin } from './reliability';
import { bootstrapAucCi, rocAuc, rocCurve, type RocPoint } from './roc';
import { chooseThreshold } from './threshold';

/** One file as the caller ran it. */
export interface ExternalItem {
  /** Path relative to the data folder, for the report. */
  file: string;
  /** The class folder it came from (its label, through the label map). */
  folder: string;
  sha256?: string;
  /** Calibrated probabilities in metadata.classNames order; absent when the file failed. */
  probabilities?: readonly number[];
  /** oodScore(embedding, metadata.ood); null or absent when the model has no embedding output. */
  oodScore?: number | null;
  /** Why the file could not be read, decoded or run. */
  error?: string;
  /** Refused by the not-a-chest-CT rule (or another refusal the app makes): the reason; no prediction. */
  refused?: string;
}

export type ExternalMetadata = Pick<ModelMetadata, 'modelId' | 'classNames' | 'positiveClass' | 'decisionThreshold' | 'temperature' | 'ood' | 'datasetVersion'>;

export interface ExternalReportInput {
  name: string;
  items: readonly ExternalItem[];
  /** folder → model class name. */
  labelMap: Readonly<Record<string, string>>;
  metadata: ExternalMetadata;
  /** Where the data came from and a hash of its contents (sha256 and folder of every file). */
  dataset: { path: string; hash: string };
  /** ISO date; passed in so the builder stays pure and repeatable. */
  date: string;
  /** Bootstrap resamples for the AUC interval and its seed. */
  bootstrap: number;
  seed: number;
  /** The model's own threshold rule re-applied on this set: the highest threshold with at least this sensitivity. */
  targetSensitivity: number;
}

/** Below this many items in a class, a figure about that class is reported but not to be concluded from. */
export const SMALL_CLASS = 20;

export interface DecisionReport extends BinaryFigures {
  threshold: number | null;
  accuracy: number;
  /** Rows = true model class, columns = decided class, in classNames order. */
  confusionMatrix: number[][];
}

export interface ExternalFigures {
  n: number;
  nPerClass: Record<string, number>;
  /** Always answering this set's majority class. */
  majorityBaseline: { class: string; accuracy: number; sensitivity: number; specificity: number };
  /** Positive class against the rest on the calibrated probability; null when a side is empty. */
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
  bootstrapResamples: number;
  roc: RocPoint[];
  atShippedThreshold: DecisionReport;
  /** Threshold re-chosen ON THIS SET by the model's rule: an oracle figure, not what the model ships. */
  atTargetSensitivity: (DecisionReport & { targetSensitivity: number; rule: string }) | null;
  argmax: DecisionReport;
  /** Top-label ECE (15 bins) of the calibrated probabilities. */
  ece: number;
  calibrationCurve: ReliabilityBin[];
  notes: string[];
}

export interface FolderReport {
  /** The model class this folder is scored as; null when the label map does not name it. */
  mappedTo: string | null;
  files: number;
  failed: number;
  scored: number;
  accepted: number;
  warned: number;
  refused: number;
  /** Over files that were read (scored or refused; failed ones were never judged). */
  refusalRate: Proportion;
  warningRate: Proportion;
  /** How the model called its scored files at the shipped threshold, refusals ignored. */
  decisions: Record<string, number>;
  meanPositiveProbability: number | null;
}

export interface ItemReport {
  file: string;
  folder: string;
  sha256?: string;
  label: string | null;
  status: 'scored' | 'refused' | 'failed';
  outcome?: VerdictOutcome;
  reason?: string;
  oodScore?: number | null;
  positiveProbability?: number;
  decision?: string;
  probabilities?: number[];
}

export interface ExternalReport {
  name: string;
  date: string;
  modelId: string;
  modelDatasetVersion: string;
  dataset: { path: string; hash: string };
  labelMap: Record<string, string>;
  classNames: string[];
  positiveClass: string;
  decisionThreshold: number;
  temperature: number;
  /** The refusal/warning rule that ran. */
  verdictRule: string;
  counts: { files: number; failed: number; scored: number; accepted: number; warned: number; refused: number; unmapped: number };
  perFolder: Record<string, FolderReport>;
  perClass: Record<string, { files: number; failed: number; scored: number; refusalRate: Proportion; warningRate: Proportion }>;
  /** Every file of a mapped folder that got a prediction (warned included; a refused file gets none). */
  all: ExternalFigures | null;
  /** Only files shown without the "unlike this model's training data" warning: how the model does where it claims to know. */
  accepted: ExternalFigures | null;
  failures: { file: string; reason: string }[];
  items: ItemReport[];
  definitions: Record<string, string>;
}

interface Scored {
  label: number;
  probabilities: readonly number[];
}

function decisionReport(rows: readonly Scored[], meta: ExternalMetadata, threshold: number | null): DecisionReport {
  const k = meta.classNames.length;
  const decisions = rows.map((r) => (threshold === null ? argmax(r.probabilities) : decide(r.probabilities, { ...meta, decisionThreshold: threshold }).classIndex));
  const cm = confusionMatrix(
    rows.map((r) => r.label),
    decisions,
    k,
  );
  return { threshold, accuracy: accuracyOf(cm), confusionMatrix: cm, ...binaryFigures(cm, meta.positiveClass) };
}

function figures(rows: readonly Scored[], input: ExternalReportInput): ExternalFigures | null {
  if (rows.length === 0) return null;
  const meta = input.metadata;
  const pos = meta.positiveClass;
  const names = meta.classNames;
  const labels = rows.map((r) => r.label);
  const scores = rows.map((r) => r.probabilities[pos]!);
  const isPos = labels.map((y) => y === pos);
  const nPos = isPos.filter(Boolean).length;
  const nNeg = rows.length - nPos;
  const nPerClass = Object.fromEntries(names.map((c, i) => [c, labels.filter((y) => y === i).length]));
  const notes: string[] = [];
  let auc: number | null = null;
  let ci: [number, number] | null = null;
  let resamples = 0;
  let roc: RocPoint[] = [];
  if (nPos > 0 && nNeg > 0) {
    auc = rocAuc(scores, isPos);
    const b = bootstrapAucCi(scores, isPos, input.bootstrap, input.seed);
    ci = [b.low, b.high];
    resamples = b.resamples;
    roc = rocCurve(scores, isPos);
  } else notes.push(`no ROC-AUC: the set has ${nPos} ${names[pos]} and ${nNeg} other items; it needs both`);
  for (const [c, n] of Object.entries(nPerClass))
    if (n > 0 && n < SMALL_CLASS) notes.push(`only ${n} ${c} items (< ${SMALL_CLASS}): too few to conclude about that class`);
  const majority = majorityClass(labels, names.length);
  const baselineCm = confusionMatrix(
    labels,
    labels.map(() => majority),
    names.length,
  );
  const baseline = binaryFigures(baselineCm, pos);
  let atTarget: ExternalFigures['atTargetSensitivity'] = null;
  if (nPos > 0) {
    const choice = chooseThreshold(scores, isPos, input.targetSensitivity);
    atTarget = { ...decisionReport(rows, meta, choice.threshold), targetSensitivity: input.targetSensitivity, rule: `${choice.rule}, chosen on this set` };
  } else notes.push(`no threshold at the target sensitivity: the set has no ${names[pos]} items`);
  return {
    n: rows.length,
    nPerClass,
    majorityBaseline: {
      class: names[majority]!,
      accuracy: accuracyOf(baselineCm),
      sensitivity: baseline.sensitivity.value,
      specificity: baseline.specificity.value,
    },
    rocAuc: auc,
    rocAucCi95: ci,
    bootstrapResamples: resamples,
    roc,
    atShippedThreshold: decisionReport(rows, meta, meta.decisionThreshold),
    atTargetSensitivity: atTarget,
    argmax: decisionReport(rows, meta, null),
    ece: expectedCalibrationError(
      rows.map((r) => r.probabilities),
      labels,
    ),
    calibrationCurve: reliabilityCurve(scores, isPos),
    notes,
  };
}

function checkInput(input: ExternalReportInput): void {
  const { classNames } = input.metadata;
  for (const [folder, cls] of Object.entries(input.labelMap))
    if (!classNames.includes(cls))
      throw new Error(`label map: folder "${folder}" maps to "${cls}", which is not a class of this model (${classNames.join(', ')})`);
  if (!(input.targetSensitivity > 0 && input.targetSensitivity <= 1)) throw new Error(`targetSensitivity must be in (0, 1], got ${input.targetSensitivity}`);
  if (!(Number.isInteger(input.bootstrap) && input.bootstrap >= 1)) throw new Error(`bootstrap must be a positive integer, got ${input.bootstrap}`);
  input.items.forEach((it) => {
    if (it.error !== undefined || it.refused !== undefined) return;
    const p = it.probabilities;
    if (!p || p.length !== classNames.length || p.some((v) => !(v >= 0 && v <= 1)))
      throw new Error(`${it.file}: needs ${classNames.length} probabilities in [0, 1] (or an error, or a refusal), got ${p ? `[${p.join(', ')}]` : 'none'}`);
  });
}

export function externalReport(input: ExternalReportInput): ExternalReport {
  checkInput(input);
  const meta = input.metadata;
  const names = meta.classNames;
  const pos = meta.positiveClass;
  const items: ItemReport[] = [];
  const perFolder: Record<string, FolderReport> = {};
  const all: Scored[] = [];
  const accepted: Scored[] = [];
  const verdictRule = VERDICT_RULE;
  const folders = [...new Set(input.items.map((i) => i.folder))].sort();
  for (const f of folders)
    perFolder[f] = {
      mappedTo: input.labelMap[f] ?? null,
      files: 0,
      failed: 0,
      scored: 0,
      accepted: 0,
      warned: 0,
      refused: 0,
      refusalRate: proportion(0, 0),
      warningRate: proportion(0, 0),
      decisions: Object.fromEntries(names.map((c) => [c, 0])),
      meanPositiveProbability: null,
    };
  const posSum: Record<string, number> = {};
  for (const it of input.items) {
    const fr = perFolder[it.folder]!;
    const label = input.labelMap[it.folder] ?? null;
    fr.files++;
    const base = { file: it.file, folder: it.folder, ...(it.sha256 ? { sha256: it.sha256 } : {}), label };
    if (it.refused !== undefined) {
      fr.refused++;
      items.push({ ...base, status: 'refused', outcome: 'refused', reason: it.refused });
      continue;
    }
    if (it.error !== undefined || !it.probabilities) {
      fr.failed++;
      items.push({ ...base, status: 'failed', reason: it.error ?? 'no output' });
      continue;
    }
    const probs = [...it.probabilities];
    // What the app would show: the prediction, warned when the OOD score is above the model's threshold.
    const a = assessInput({ ok: true }, it.oodScore ?? null, meta);
    const verdict: { outcome: VerdictOutcome; reason?: string } = a.kind === 'ok' && a.warning ? { outcome: 'warned', reason: a.warning.message } : { outcome: 'accepted' };
    const decision = decide(probs, meta);
    fr.scored++;
    fr[verdict.outcome]++;
    fr.decisions[decision.className]! += 1;
    posSum[it.folder] = (posSum[it.folder] ?? 0) + decision.positiveProbability;
    items.push({
      ...base,
      status: 'scored',
      outcome: verdict.outcome,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      oodScore: it.oodScore ?? null,
      positiveProbability: decision.positiveProbability,
      decision: decision.className,
      probabilities: probs,
    });
    if (label !== null) {
      const row = { label: names.indexOf(label), probabilities: probs };
      all.push(row);
      if (verdict.outcome === 'accepted') accepted.push(row);
    }
  }
  for (const [f, fr] of Object.entries(perFolder)) {
    fr.refusalRate = proportion(fr.refused, fr.scored + fr.refused);
    fr.warningRate = proportion(fr.warned, fr.scored);
    fr.meanPositiveProbability = fr.scored > 0 ? posSum[f]! / fr.scored : null;
  }
  const perClass: ExternalReport['perClass'] = {};
  for (const c of names) {
    const fs = Object.values(perFolder).filter((fr) => fr.mappedTo === c);
    if (fs.length === 0) continue;
    const sum = (k: 'files' | 'failed' | 'scored' | 'refused' | 'warned') => fs.reduce((a, fr) => a + fr[k], 0);
    perClass[c] = { files: sum('files'), failed: sum('failed'), scored: sum('scored'), refusalRate: proportion(sum('refused'), sum('scored') + sum('refused')), warningRate: proportion(sum('warned'), sum('scored')) };
  }
  const total = (k: 'files' | 'failed' | 'scored' | 'accepted' | 'warned' | 'refused') => Object.values(perFolder).reduce((a, fr) => a + fr[k], 0);
  return {
    name: input.name,
    date: input.date,
    modelId: meta.modelId,
    modelDatasetVersion: meta.datasetVersion,
    dataset: { ...input.dataset },
    labelMap: { ...input.labelMap },
    classNames: [...names],
    positiveClass: names[pos]!,
    decisionThreshold: meta.decisionThreshold,
    temperature: meta.temperature,
    verdictRule,
    counts: {
      files: total('files'),
      failed: total('failed'),
      scored: total('scored'),
      accepted: total('accepted'),
      warned: total('warned'),
      refused: total('refused'),
      unmapped: Object.values(perFolder)
        .filter((fr) => fr.mappedTo === null)
        .reduce((a, fr) => a + fr.files, 0),
    },
    perFolder,
    perClass,
    all: figures(all, input),
    accepted: figures(accepted, input),
    failures: items.filter((i) => i.status === 'failed').map((i) => ({ file: i.file, reason: i.reason! })),
    items,
    definitions: {
      all: 'every file of a mapped folder that got a prediction: warned files included, refused files (not a chest CT) have none',
      accepted: 'only files shown without the OOD warning (unlike this model\u2019s training data)',
      atShippedThreshold: `the model's own threshold ${meta.decisionThreshold} on the calibrated ${names[pos]} probability (temperature ${meta.temperature})`,
      atTargetSensitivity: `threshold re-chosen on THIS set by the model's rule (sensitivity >= ${input.targetSensitivity}); tuned on the set it is reported on, so an upper bound, not a shipped figure`,
      argmax: 'the most probable class, no threshold',
      ci95: 'sensitivity, specificity, PPV, NPV and rates: Wilson score intervals; ROC-AUC: percentile bootstrap over items' + ` (${input.bootstrap} resamples, seed ${input.seed})`,
      ppvNpv: 'PPV and NPV hold at this set\'s prevalence only',
      refusalRate: 'refused / scored files of the folder or class (failed files were never judged)',
      majorityBaseline: 'always answering this set\'s most frequent class',
    },
  };
}

/** The short form kept in metadata.json's externalValidation[] and shown on the model card. */
export interface ExternalValidationSummary {
  name: string;
  date: string;
  datasetHash: string;
  /** Scored files per model class (mapped folders only). */
  nPerClass: Record<string, number>;
  /** Files per folder the label map did not name. */
  unmapped: Record<string, number>;
  failed: number;
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
  threshold: number;
  /** At the shipped threshold, refusals ignored; null when no mapped folder had a scored file. */
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
  /** Over mapped folders: refused / (scored + refused) and warned / scored; null when nothing was read. And the rules. */
  refusalRate: number | null;
  warningRate: number | null;
  verdictRule: string;
}

/** Figures are the `all` ones (every file with a prediction), beside the refusal and warning rates, so none hides another. */
export function externalValidationSummary(r: ExternalReport): ExternalValidationSummary {
  const f = r.all;
  const mapped = Object.values(r.perFolder).filter((fr) => fr.mappedTo !== null);
  const scored = mapped.reduce((a, fr) => a + fr.scored, 0);
  const refused = mapped.reduce((a, fr) => a + fr.refused, 0);
  const s = f?.atShippedThreshold;
  return {
    name: r.name,
    date: r.date,
    datasetHash: r.dataset.hash,
    nPerClass: f ? { ...f.nPerClass } : {},
    unmapped: Object.fromEntries(Object.entries(r.perFolder).filter(([, fr]) => fr.mappedTo === null).map(([k, fr]) => [k, fr.files])),
    failed: r.counts.failed,
    rocAuc: f?.rocAuc ?? null,
    rocAucCi95: f?.rocAucCi95 ?? null,
    threshold: r.decisionThreshold,
    sensitivity: s ? s.sensitivity.value : null,
    specificity: s ? s.specificity.value : null,
    ppv: s ? s.ppv.value : null,
    npv: s ? s.npv.value : null,
    refusalRate: scored + refused === 0 ? null : refused / (scored + refused),
    warningRate: scored === 0 ? null : mapped.reduce((a, fr) => a + fr.warned, 0) / scored,
    verdictRule: r.verdictRule,
  };
}
