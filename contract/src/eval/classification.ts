/**
 * Figures computed from hard decisions: confusion matrix, accuracy, per-class precision/recall/F1,
 * and sensitivity/specificity of one class against the rest. A ratio with an empty denominator is
 * 0 (scikit-learn's zero_division=0), so a class that is never predicted scores 0, not NaN.
 */
import type { ClassMetrics } from '../metadata';

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** rows = true class, columns = predicted class. */
export function confusionMatrix(labels: readonly number[], predictions: readonly number[], numClasses: number): number[][] {
  if (labels.length !== predictions.length)
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((y, i) => {
    const p = predictions[i]!;
    if (!(y >= 0 && y < numClasses && p >= 0 && p < numClasses))
      throw new Error(`confusionMatrix: class index out of range at item ${i} (label ${y}, prediction ${p})`);
    cm[y]![p]! += 1;
  });
  return cm;
}

export function accuracyOf(cm: readonly number[][]): number {
  let hit = 0;
  let all = 0;
  cm.forEach((row, i) =>
    row.forEach((n, j) => {
      all += n;
      if (i === j) hit += n;
    }),
  );
  return ratio(hit, all);
}

export function perClassMetrics(cm: readonly number[][], classNames: readonly string[]): Record<string, ClassMetrics> {
  const out: Record<string, ClassMetrics> = {};
  classNames.forEach((name, c) => {
    const tp = cm[c]![c]!;
    const support = cm[c]!.reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[c]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    out[name] = { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  return out;
}

/** One class against the rest: sensitivity = its recall, specificity = recall of "not it". */
export function sensitivitySpecificity(cm: readonly number[][], positive: number): { sensitivity: number; specificity: number } {
  let tp = 0, fn = 0, fp = 0, tn = 0;
  cm.forEach((row, i) =>
    row.forEach((n, j) => {
      if (i === positive) {
        if (j === positive) tp += n;
        else fn += n;
      } else if (j === positive) fp += n;
      else tn += n;
    }),
  );
  return { sensitivity: ratio(tp, tp + fn), specificity: ratio(tn, tn + fp) };
}

/** Index of the most frequent label (lowest index on a tie), i.e. what the majority baseline always answers. */
export function majorityClass(labels: readonly number[], numClasses: number): number {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]! += 1;
  let best = 0;
  counts.forEach((n, i) => {
    if (n > counts[best]!) best = i;
  });
  return best;
}

export function argmax(row: readonly number[]): number {
  let best = 0;
  row.forEach((v, i) => {
    if (v > row[best]!) best = i;
  });
  return best;
}
