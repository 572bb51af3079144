/**
 * The calibration curve (reliability diagram) of the positive class: items binned by predicted
 * probability into equal-width bins; per bin the mean prediction against the observed fraction of
 * positives (scikit-learn's calibration_curve with strategy="uniform"). Empty bins are left out.
 */
export interface ReliabilityBin {
  /** Bin edges [low, high); the last bin includes 1. */
  low: number;
  high: number;
  count: number;
  meanPredicted: number;
  fractionPositive: number;
}

export function reliabilityCurve(positiveProbability: readonly number[], isPositive: readonly boolean[], bins = 10): ReliabilityBin[] {
  if (positiveProbability.length !== isPositive.length)
    throw new Error(`reliabilityCurve: ${positiveProbability.length} scores but ${isPositive.length} labels`);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`reliabilityCurve: bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  const pos = new Array<number>(bins).fill(0);
  positiveProbability.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new Error(`reliabilityCurve: probability at item ${i} is ${p}, not in [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]! += 1;
    sum[b]! += p;
    if (isPositive[i]) pos[b]! += 1;
  });
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++)
    if (count[b]! > 0) out.push({ low: b / bins, high: (b + 1) / bins, count: count[b]!, meanPredicted: sum[b]! / count[b]!, fractionPositive: pos[b]! / count[b]! });
  return out;
}
