/**
 * The figures a user needs to read one decision, from a confusion matrix (rows: true class,
 * columns: predicted) and the positive class: sensitivity, specificity, PPV and NPV, each with its
 * counts and Wilson 95% interval. Multi-class matrices collapse to positive vs the rest.
 */
import { wilsonInterval, type Proportion } from './proportion';

export interface OperatingPoint {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  sensitivity: Proportion;
  specificity: Proportion;
  /** Positive predictive value (precision of the positive call), at the test split's prevalence. */
  ppv: Proportion;
  /** Negative predictive value, at the test split's prevalence. */
  npv: Proportion;
  prevalence: Proportion;
}

export function operatingPoint(cm: readonly (readonly number[])[], positive: number): OperatingPoint {
  const k = cm.length;
  if (!(positive >= 0 && positive < k) || cm.some((row) => row.length !== k)) throw new Error(`operatingPoint: need a square matrix and a positive class index, got ${k} rows and class ${positive}`);
  let tp = 0, fn = 0, fp = 0, tn = 0;
  cm.forEach((row, t) =>
    row.forEach((n, p) => {
      if (t === positive) {
        if (p === positive) tp += n;
        else fn += n;
      } else if (p === positive) fp += n;
      else tn += n;
    }),
  );
  return {
    tp, fn, fp, tn,
    sensitivity: wilsonInterval(tp, tp + fn),
    specificity: wilsonInterval(tn, tn + fp),
    ppv: wilsonInterval(tp, tp + fp),
    npv: wilsonInterval(tn, tn + fn),
    prevalence: wilsonInterval(tp + fn, tp + fn + fp + tn),
  };
}
