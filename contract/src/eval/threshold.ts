/**
 * The decision threshold, chosen on validation only. The rule, documented in metadata as
 * `rule`: the HIGHEST threshold t on the positive class's calibrated probability such that, on the
 * validation split, the fraction of positive items with probability ≥ t is at least
 * `minSensitivity`. Highest, because among thresholds that keep the required sensitivity it gives
 * the fewest false alarms. That t is the k-th largest validation positive score, k = ⌈minSensitivity · nPositive⌉.
 */

export interface ThresholdChoice {
  threshold: number;
  rule: string;
  /** Validation sensitivity and specificity at that threshold. */
  validationSensitivity: number;
  validationSpecificity: number;
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
  let tp = 0, fn = 0, tn = 0, fp = 0;
  positiveProbability.forEach((p, i) => {
    const called = p >= threshold;
    if (isPositive[i]) {
      if (called) tp++;
      else fn++;
    } else if (called) fp++;
    else tn++;
  });
  return {
    threshold,
    rule: `highest threshold on the calibrated positive-class probability whose validation sensitivity is >= ${minSensitivity}`,
    validationSensitivity: tp / (tp + fn),
    validationSpecificity: tn + fp === 0 ? 0 : tn / (tn + fp),
  };
}
