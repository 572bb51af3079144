/**
 * ROC analysis for one class against the rest: the curve, its area, and a bootstrap confidence
 * interval. AUC is computed as the Mann–Whitney statistic (ties count one half), which equals the
 * trapezoidal area under the tie-aware curve.
 */
import { rng as seededRng } from '../util/rng';

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Scores at or above this are called positive to reach this point. */
  threshold: number;
}

function counts(positive: readonly boolean[]): { pos: number; neg: number } {
  const pos = positive.filter(Boolean).length;
  return { pos, neg: positive.length - pos };
}

/** Curve from (0,0) to (1,1), one point per distinct score, highest score first. */
export function rocCurve(scores: readonly number[], positive: readonly boolean[]): RocPoint[] {
  if (scores.length !== positive.length) throw new Error(`rocCurve: ${scores.length} scores but ${positive.length} labels`);
  const { pos, neg } = counts(positive);
  if (pos === 0 || neg === 0) throw new Error(`rocCurve: needs both classes (got ${pos} positive, ${neg} negative)`);
  const order = scores.map((s, i) => i).sort((i, j) => scores[j]! - scores[i]!);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (positive[i]) tp++;
    else fp++;
    const next = order[k + 1];
    // Tied scores move together: one point after the last of them.
    if (next === undefined || scores[next] !== scores[i]) points.push({ fpr: fp / neg, tpr: tp / pos, threshold: scores[i]! });
  }
  return points;
}

/** P(score of a random positive > score of a random negative) + ½ P(tie). */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number {
  if (scores.length !== positive.length) throw new Error(`rocAuc: ${scores.length} scores but ${positive.length} labels`);
  const { pos, neg } = counts(positive);
  if (pos === 0 || neg === 0) throw new Error(`rocAuc: needs both classes (got ${pos} positive, ${neg} negative)`);
  // Average ranks (1-based) handle ties; U = R_pos − pos(pos+1)/2.
  const order = scores.map((s, i) => i).sort((i, j) => scores[i]! - scores[j]!);
  const rank = new Array<number>(scores.length);
  for (let k = 0; k < order.length; ) {
    let e = k;
    while (e + 1 < order.length && scores[order[e + 1]!] === scores[order[k]!]) e++;
    const avg = (k + e) / 2 + 1;
    for (let t = k; t <= e; t++) rank[order[t]!] = avg;
    k = e + 1;
  }
  let rPos = 0;
  positive.forEach((p, i) => {
    if (p) rPos += rank[i]!;
  });
  return (rPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface BootstrapCi {
  low: number;
  high: number;
  /** Resamples used; those drawing only one class have no AUC and are redrawn. */
  resamples: number;
}

/**
 * Percentile bootstrap: resample the test items with replacement `resamples` times (seeded), and
 * take the 2.5th and 97.5th percentiles of the AUCs. Resamples with a single class are redrawn,
 * at most 10× the requested count in total, so a degenerate input cannot loop forever.
 */
export function bootstrapAucCi(scores: readonly number[], positive: readonly boolean[], resamples: number, seed: number): BootstrapCi {
  const n = scores.length;
  const rng = seededRng(seed);
  const aucs: number[] = [];
  const s = new Array<number>(n);
  const p = new Array<boolean>(n);
  for (let attempt = 0; attempt < resamples * 10 && aucs.length < resamples; attempt++) {
    let pos = 0;
    for (let k = 0; k < n; k++) {
      const i = Math.floor(rng() * n);
      s[k] = scores[i]!;
      p[k] = positive[i]!;
      if (p[k]) pos++;
    }
    if (pos === 0 || pos === n) continue;
    aucs.push(rocAuc(s, p));
  }
  if (aucs.length === 0) throw new Error('bootstrapAucCi: no resample had both classes');
  aucs.sort((a, b) => a - b);
  return { low: quantile(aucs, 0.025), high: quantile(aucs, 0.975), resamples: aucs.length };
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
