/**
 * Confidence intervals for a proportion (sensitivity, specificity, PPV, NPV, refusal rates). Wilson's
 * score interval, because the Wald interval collapses to [p, p] at 0 or 1 and undercovers badly on the
 * small counts external sets have (Brown, Cai & DasGupta 2001).
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Proportion {
  /** successes / total; 0 when total is 0 (and then the interval is [0, 1]: nothing is known). */
  value: number;
  successes: number;
  total: number;
  ci95: [number, number];
}

/** Wilson score interval for `successes` out of `total`. */
export function wilsonInterval(successes: number, total: number, z = Z95): [number, number] {
  if (!(Number.isInteger(successes) && Number.isInteger(total) && successes >= 0 && successes <= total))
    throw new Error(`wilsonInterval: need integers 0 <= successes <= total, got ${successes} of ${total}`);
  if (total === 0) return [0, 1];
  const p = successes / total;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z / (1 + z2 / total)) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  // Clamp float noise at the ends: at p = 0 the lower bound is exactly 0, at p = 1 the upper is exactly 1.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === total ? 1 : Math.min(1, centre + half)];
}

export function proportion(successes: number, total: number): Proportion {
  return { value: total === 0 ? 0 : successes / total, successes, total, ci95: wilsonInterval(successes, total) };
}
