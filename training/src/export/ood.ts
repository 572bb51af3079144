/**
 * Out-of-distribution statistics that travel with the model: the training set's pooled block5
 * embeddings, reduced by PCA; a new image's score is its Mahalanobis distance in that space
 * (contract: oodScore). The threshold is set on validation images, which are in-distribution
 * by construction, so that a known share of real CT images passes.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { OodStats } from '../../../src/contract/metadata';
import { oodScore } from '../../../src/contract/postprocess';

export interface OodFitOptions {
  /** Principal components kept (capped by the number of training images − 1). */
  components: number;
  /** Share of validation images that must pass (score ≤ threshold). */
  passRate: number;
}

export const DEFAULT_OOD: OodFitOptions = { components: 16, passRate: 0.95 };

export function fitOod(train: Float32Array[], val: Float32Array[], opts: OodFitOptions = DEFAULT_OOD): OodStats & { valPassRate: number } {
  if (train.length < 3) throw new Error(`OOD statistics need at least 3 training embeddings, got ${train.length}`);
  if (val.length < 1) throw new Error('OOD threshold needs validation embeddings');
  const d = train[0]!.length;
  const mean = new Array<number>(d).fill(0);
  for (const e of train) for (let j = 0; j < d; j++) mean[j]! += e[j]! / train.length;
  const centred = new Matrix(train.map((e) => Array.from(e, (v, j) => v - mean[j]!)));
  const cov = centred.transpose().mmul(centred).div(train.length - 1);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  // ml-matrix returns ascending eigenvalues; keep the largest.
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const k = Math.min(opts.components, train.length - 1, d);
  // Components with (numerically) no variance would divide by ~0: drop them.
  const kept = order.slice(0, k).filter(([v]) => v > 1e-9 * Math.max(order[0]![0], 1e-30));
  const vectors = evd.eigenvectorMatrix;
  const stats: OodStats = {
    mean,
    components: kept.map(([, i]) => vectors.getColumn(i)),
    variances: kept.map(([v]) => v),
    threshold: 0,
  };
  const scores = val.map((e) => oodScore(e, stats)).sort((a, b) => a - b);
  // The smallest threshold that lets at least passRate of validation through.
  const index = Math.min(scores.length - 1, Math.ceil(opts.passRate * scores.length) - 1);
  stats.threshold = scores[Math.max(0, index)]!;
  const valPassRate = scores.filter((s) => s <= stats.threshold).length / scores.length;
  return { ...stats, valPassRate };
}
