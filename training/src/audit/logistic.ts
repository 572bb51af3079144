/**
 * L2-regularised logistic regression by iteratively reweighted least squares (Newton's method),
 * on standardised features. Small and deterministic (no random init, no learning rate), which is
 * what a baseline needs: the same splits give the same figure on every run.
 */
import { Matrix, solve } from 'ml-matrix';

export interface LogisticModel {
  mean: number[];
  scale: number[];
  /** Intercept first, then one weight per feature. */
  weights: number[];
}

export function fitLogistic(x: number[][], y: readonly boolean[], l2 = 1, iterations = 25): LogisticModel {
  const d = x[0]?.length ?? 0;
  if (x.length === 0 || d === 0) throw new Error('fitLogistic: no rows or no features');
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
  // A constant feature gets scale 1: it standardises to 0 and carries no weight.
  const scale = mean.map((m, j) => Math.sqrt(x.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / x.length) || 1);
  const z = new Matrix(x.map((r) => [1, ...r.map((v, j) => (v - mean[j]!) / scale[j]!)]));
  const t = y.map((v) => (v ? 1 : 0));
  let w = Matrix.zeros(d + 1, 1);
  for (let it = 0; it < iterations; it++) {
    const eta = z.mmul(w);
    const p = eta.to1DArray().map((e) => 1 / (1 + Math.exp(-e)));
    const s = p.map((pi) => Math.max(pi * (1 - pi), 1e-9));
    // Hessian Zᵀ S Z + λI (intercept unpenalised); gradient Zᵀ(t − p) − λw.
    const zs = z.clone();
    for (let i = 0; i < zs.rows; i++) for (let j = 0; j < zs.columns; j++) zs.set(i, j, zs.get(i, j) * s[i]!);
    const h = z.transpose().mmul(zs);
    for (let j = 1; j <= d; j++) h.set(j, j, h.get(j, j) + l2);
    const grad = z.transpose().mmul(Matrix.columnVector(t.map((ti, i) => ti - p[i]!)));
    for (let j = 1; j <= d; j++) grad.set(j, 0, grad.get(j, 0) - l2 * w.get(j, 0));
    const step = solve(h, grad);
    w = w.add(step);
    if (step.norm() < 1e-8) break;
  }
  return { mean, scale, weights: w.to1DArray() };
}

/**
 * The linear score (log-odds of positive) for each row. Ranking by it rather than by the
 * probability keeps the order of rows whose probability rounds to 0 or 1 (a nearly separable fit).
 */
export function logisticScore(m: LogisticModel, x: number[][]): number[] {
  return x.map((r) => {
    let e = m.weights[0]!;
    r.forEach((v, j) => (e += m.weights[j + 1]! * ((v - m.mean[j]!) / m.scale[j]!)));
    return e;
  });
}

/** P(positive) for each row. */
export function predictLogistic(m: LogisticModel, x: number[][]): number[] {
  return logisticScore(m, x).map((e) => 1 / (1 + Math.exp(-e)));
}
