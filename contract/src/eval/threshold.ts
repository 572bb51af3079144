/**
 * The decision threshold, chosen on validation only. The rule, documented in metadata as
 * `rule`: the HIGHEST threshold t on the positive class's calibrated probability such that, on the
 * validation split, the fraction of positive items with probability ≥ t is at least
 * `minSensitivity`. Highest, because among thresholds that keep the required sensitivity it gives
 * the fewest false alarms. That t is the k-th largest validation positive score, k = ⌈minSensitivity · nPositive⌉.
 *
 * FALLBACK (placeThreshold): a validation split too small or too poor to place that threshold must
 * not ship a silent extreme. When validation has fewer than THRESHOLD_FALLBACK.minNegatives
 * negatives (specificity there cannot be estimated), or the rule's threshold gives a validation
 * specificity below THRESHOLD_FALLBACK.minSpecificity (it calls most normals positive), the
 * threshold is 0.5 on the calibrated positive-class probability instead — for two classes, the
 * more probable class — and the choice records `placedBy: 'fallback'` and why, so metrics,
 * metadata and the model card can say so.
 */

export interface ThresholdChoice {
  threshold: number;
  rule: string;
  /** Validation sensitivity and specificity at that threshold. */
  validationSensitivity: number;
  validationSpecificity: number;
  /** Counts behind those rates. */
  validationPositives: number;
  validationNegatives: number;
  /** Which rule placed the threshold; 'fallback' with `fallbackReason` when the main rule could not. */
  placedBy: 'min-sensitivity' | 'fallback';
  fallbackReason: string | null;
}

export const THRESHOLD_FALLBACK = {
  /** Fewer validation negatives than this: specificity cannot be estimated, so the rule cannot be trusted. */
  minNegatives: 20,
  /** The rule's threshold must keep at least this validation specificity. */
  minSpecificity: 0.5,
  /** The fallback threshold on the calibrated positive-class probability. */
  threshold: 0.5,
} as const;

function ratesAt(threshold: number, positiveProbability: readonly number[], isPositive: readonly boolean[]): { sensitivity: number; specificity: number; positives: number; negatives: number } {
  let tp = 0, fn = 0, tn = 0, fp = 0;
  positiveProbability.forEach((p, i) => {
    const called = p >= threshold;
    if (isPositive[i]) {
      if (called) tp++;
      else fn++;
    } else if (called) fp++;
    else tn++;
  });
  return { sensitivity: tp + fn === 0 ? 0 : tp / (tp + fn), specificity: tn + fp === 0 ? 0 : tn / (tn + fp), positives: tp + fn, negatives: tn + fp };
}

/** metadata.decisionThreshold must lie strictly inside (0, 1). */
const LOW = 1e-6;
const HIGH = 1 - 1e-6;

export function chooseThreshold(positiveProbability: readonly number[], isPositive: readonly boolean[], minSensitivity: number): ThresholdChoice {
  if (positiveProbability.length !== isPositive.length)
    throw new Error(`chooseThreshold: ${positiveProbability.length} scores but ${isPositive.length} labels`);
  if (!(minSensitivity > 0 && minSensitivity <= 1)) throw new Error(`chooseThreshold: minSensitivity must be in (0, 1], got ${minSensitivity}`);
  const pos = positiveProbability.filter((_, i) => isPositive[i]).sort((a, b) => b - a);
  if (pos.length === 0) throw new Error('chooseThreshold: the validation split has no positive-class items');
  const k = Math.ceil(minSensitivity * pos.length - 1e-9);
  const threshold = Math.min(HIGH, Math.max(LOW, pos[k - 1]!));
  const r = ratesAt(threshold, positiveProbability, isPositive);
  return {
    threshold,
    rule: `highest threshold on the calibrated positive-class probability whose validation sensitivity is >= ${minSensitivity}`,
    validationSensitivity: r.sensitivity,
    validationSpecificity: r.specificity,
    validationPositives: r.positives,
    validationNegatives: r.negatives,
    placedBy: 'min-sensitivity',
    fallbackReason: null,
  };
}

/** chooseThreshold, with the documented fallback (see the top of this file) when validation cannot support it. */
export function placeThreshold(positiveProbability: readonly number[], isPositive: readonly boolean[], minSensitivity: number): ThresholdChoice {
  const main = chooseThreshold(positiveProbability, isPositive, minSensitivity);
  let reason: string | null = null;
  if (main.validationNegatives < THRESHOLD_FALLBACK.minNegatives)
    reason = `validation has ${main.validationNegatives} negatives, fewer than ${THRESHOLD_FALLBACK.minNegatives}: too few to place a sensitivity-first threshold`;
  else if (main.validationSpecificity < THRESHOLD_FALLBACK.minSpecificity)
    reason = `the sensitivity-first threshold ${main.threshold.toPrecision(4)} gives validation specificity ${main.validationSpecificity.toFixed(3)}, below ${THRESHOLD_FALLBACK.minSpecificity}`;
  if (reason === null) return main;
  const threshold = THRESHOLD_FALLBACK.threshold;
  const r = ratesAt(threshold, positiveProbability, isPositive);
  return {
    threshold,
    rule: `fallback: ${threshold} on the calibrated positive-class probability (for two classes, the more probable class), because ${reason}`,
    validationSensitivity: r.sensitivity,
    validationSpecificity: r.specificity,
    validationPositives: r.positives,
    validationNegatives: r.negatives,
    placedBy: 'fallback',
    fallbackReason: reason,
  };
}
