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
import { decide } from '../postprocess';
import { assessInput } from '../refusal/assess';
import { proportion } from './proportion';
import { figures, type Scored } from './external-figures';
import { VERDICT_RULE, type ExternalReport, type ExternalReportInput, type FolderReport, type ItemReport, type VerdictOutcome } from './external-types';

export * from './external-types';
export { SMALL_CLASS } from './external-figures';
export * from './external-summary';

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
      items.push({ ...base, status: 'failed', reason: it.error ?? 'no output', ...(it.code ? { code: it.code } : {}) });
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
    failures: items.filter((i) => i.status === 'failed').map((i) => ({ file: i.file, reason: i.reason!, ...(i.code ? { code: i.code } : {}) })),
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
