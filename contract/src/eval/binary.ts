/**
 * One class against the rest at a hard decision: the four counts and the four figures a clinician
 * reads (sensitivity, specificity, PPV, NPV), each with a Wilson 95% interval. PPV and NPV depend
 * on the set's prevalence, which is reported beside them.
 */
import { proportion, type Proportion } from './proportion';

export interface BinaryCounts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

export interface BinaryFigures {
  counts: BinaryCounts;
  /** Positives / all items: PPV and NPV hold only at this prevalence. */
  prevalence: number;
  sensitivity: Proportion;
  specificity: Proportion;
  /** Positive predictive value: of the items called positive, the fraction that are. */
  ppv: Proportion;
  /** Negative predictive value: of the items called negative, the fraction that are not positive. */
  npv: Proportion;
}

/** Counts of `positive` against the rest from a confusion matrix (rows = true class, columns = decision). */
export function binaryCounts(cm: readonly (readonly number[])[], positive: number): BinaryCounts {
  if (!(positive >= 0 && positive < cm.length) || cm.some((row) => row.length !== cm.length))
    throw new Error(`binaryCounts: need a square matrix and a positive class index, got ${cm.length} rows and class ${positive}`);
  const c: BinaryCounts = { tp: 0, fn: 0, fp: 0, tn: 0 };
  cm.forEach((row, i) =>
    row.forEach((n, j) => {
      if (i === positive) {
        if (j === positive) c.tp += n;
        else c.fn += n;
      } else if (j === positive) c.fp += n;
      else c.tn += n;
    }),
  );
  return c;
}

export function binaryFigures(cm: readonly (readonly number[])[], positive: number): BinaryFigures {
  const counts = binaryCounts(cm, positive);
  const { tp, fn, fp, tn } = counts;
  const all = tp + fn + fp + tn;
  return {
    counts,
    prevalence: all === 0 ? 0 : (tp + fn) / all,
    sensitivity: proportion(tp, tp + fn),
    specificity: proportion(tn, tn + fp),
    ppv: proportion(tp, tp + fp),
    npv: proportion(tn, tn + fn),
  };
}
