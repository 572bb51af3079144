/**
 * A proportion with its 95% confidence interval (Wilson score interval): for rates over counts
 * (acceptance and refusal rates, sensitivity, specificity, PPV, NPV). Wilson rather than the
 * normal approximation because it stays inside [0, 1] and behaves at 0/n and n/n, which small
 * medical test sets produce.
 */
export interface Proportion {
  k: number;
  n: number;
  /** k / n; NaN when n = 0 (nothing to estimate). */
  value: number;
  ci95: [number, number];
}

const Z95 = 1.959963984540054;

export function wilsonInterval(k: number, n: number, z = Z95): Proportion {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) throw new Error(`wilsonInterval: need 0 <= k <= n integers, got ${k}/${n}`);
  if (n === 0) return { k, n, value: NaN, ci95: [NaN, NaN] };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At 0/n and n/n the bound is exactly 0 or 1; say so rather than leave rounding residue.
  return { k, n, value: p, ci95: [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)] };
}
