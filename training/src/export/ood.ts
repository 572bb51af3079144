/**
 * Out-of-distribution statistics that travel with the model: the training set's pooled block5
 * embeddings, reduced by PCA; a new image's score is its Mahalanobis distance in that space
 * (contract: oodScore). The threshold is set on validation images, which are in-distribution
 * by construction, so that a known share of real CT images passes; above it, the app shows the
 * prediction with a warning (contract: assessInput), it does not refuse.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type OodStats, oodScore, unlikeTrainingData } from '@respidetect/contract';

export interface OodFitOptions {
  /** Principal components kept (capped by the number of training images − 1). */
  components: number;
  /** Share of validation images that must pass (score ≤ threshold). */
  passRate: number;
}

// 8 components: with the residual term, fewer components leave more of a photo's difference in
// the residual, where it counts. Compared on the real set at 64 px (random weights): K=8 flagged
// 14/14 non-CT photos with 58/61 CT test images passing; K=16 flagged 11/14. (The photos were
// used to make this choice, so that rate is optimistic.)
export const DEFAULT_OOD: OodFitOptions = { components: 8, passRate: 0.95 };

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
  // Probabilistic PCA: the discarded directions share one variance, their mean.
  const discarded = order.slice(kept.length).map(([v]) => Math.max(v, 0));
  const residualVariance = discarded.length ? Math.max(discarded.reduce((a, b) => a + b, 0) / discarded.length, 1e-12) : undefined;
  const stats: OodStats = {
    mean,
    components: kept.map(([, i]) => vectors.getColumn(i)),
    variances: kept.map(([v]) => v),
    ...(residualVariance !== undefined ? { residualVariance } : {}),
    threshold: 0,
  };
  const scores = val.map((e) => oodScore(e, stats)).sort((a, b) => a - b);
  // The smallest threshold that lets at least passRate of validation through.
  const index = Math.min(scores.length - 1, Math.ceil(opts.passRate * scores.length) - 1);
  stats.threshold = scores[Math.max(0, index)]!;
  // Passing = not warned as unlike the training data, by the contract's one rule.
  const valPassRate = scores.filter((s) => !unlikeTrainingData(s, { ood: stats })).length / scores.length;
  return { ...stats, valPassRate };
}
