/**
 * One group of scored files (all of them, or those without the OOD warning) → the report's figures:
 * ROC-AUC with its bootstrap CI, the decisions at the shipped and a re-chosen threshold, argmax,
 * the majority baseline, calibration, and notes where a class is too small to conclude from.
 */
import { decide } from '../postprocess';
import { binaryFigures } from './binary';
import { expectedCalibrationError } from './calibration';
import { accuracyOf, argmax, confusionMatrix, majorityClass } from './classification';
import { reliabilityCurve } from './reliability';
import { bootstrapAucCi, rocAuc, rocCurve, type RocPoint } from './roc';
import { chooseThreshold } from './threshold';
import type { DecisionReport, ExternalFigures, ExternalMetadata, ExternalReportInput } from './external-types';

/** Below this many items in a class, a figure about that class is reported but not to be concluded from. */
export const SMALL_CLASS = 20;

export interface Scored {
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

export function figures(rows: readonly Scored[], input: ExternalReportInput): ExternalFigures | null {
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
