/**
 * The figures the model card and the results lead with: the decision the user is given (the
 * shipped threshold) first, then the argmax decision, both on the test split, from the confusion
 * matrices metadata.json carries. The maths is the contract's binaryFigures.
 */
import { binaryFigures, classLabel, proportion, type BinaryFigures, type ModelMetadata, type Proportion } from '@respidetect/contract';

export interface DecisionRow {
  label: string;
  op: BinaryFigures & { prevalenceOf: Proportion };
}

const figures = (cm: number[][], positive: number): DecisionRow['op'] => {
  const f = binaryFigures(cm, positive);
  const { tp, fn, fp, tn } = f.counts;
  return { ...f, prevalenceOf: proportion(tp + fn, tp + fn + fp + tn) };
};

export function decisionRows(meta: ModelMetadata): DecisionRow[] {
  const m = meta.metrics;
  const rows: DecisionRow[] = [];
  if (m.confusionMatrix) rows.push({ label: `At the shipped threshold (${classLabel(meta.classNames[meta.positiveClass]!)} if p ≥ ${meta.decisionThreshold.toFixed(3)})`, op: figures(m.confusionMatrix, meta.positiveClass) });
  if (m.argmaxConfusionMatrix) rows.push({ label: 'Most probable class (argmax, no threshold)', op: figures(m.argmaxConfusionMatrix, meta.positiveClass) });
  return rows;
}

/** "0.833 (0.55–0.95; 10/12)", or "— (0/0)" when there is nothing to estimate. */
export function formatProportion(p: Proportion): string {
  if (p.total === 0) return '— (0/0)';
  return `${p.value.toFixed(3)} (${p.ci95[0].toFixed(2)}–${p.ci95[1].toFixed(2)}; ${p.successes}/${p.total})`;
}

/** How the threshold was placed, in one sentence, or null when the model does not record it. */
export function thresholdPlacementText(meta: ModelMetadata): string | null {
  const t = meta.thresholdPlacement;
  if (!t) return null;
  const v = t.validation;
  const counts = `validation: ${v.positives} positive, ${v.negatives} negative images; sensitivity ${v.sensitivity.toFixed(3)}, specificity ${v.specificity.toFixed(3)} there`;
  if (t.placedBy === 'fallback') return `Placed by the fallback rule, because ${t.fallbackReason}: ${meta.decisionThreshold} on the calibrated probability (${counts}).`;
  return `Placed by the sensitivity-first rule: ${t.rule} (${counts}).`;
}
