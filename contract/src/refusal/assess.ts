/**
 * What a user is told about one input, before the prediction: the one place that combines the two
 * rules, called by training (export, validate), the browser (worker and results) and the exports.
 *
 * 1. "Not a chest CT" (refusal/not-ct.ts) is a REFUSAL: no prediction is shown.
 * 2. "Chest CT unlike this model's training data" (the embedding OOD score above the model's
 *    metadata.ood.threshold) is a WARNING shown beside the prediction, with the score and the
 *    threshold: a CT slice from another hospital is still a CT slice, and the user should see both
 *    what the model says and that it was not made on images like this one.
 */
import type { ModelMetadata } from '../metadata';
import type { ChestCtCheck } from './not-ct';

export const NOT_CT_MESSAGE = 'Not a chest CT';
export const UNLIKE_TRAINING_MESSAGE = 'Chest CT unlike this model\u2019s training data';

export interface UnlikeTrainingWarning {
  rule: 'unlike-training-data';
  score: number;
  threshold: number;
  /** e.g. "Chest CT unlike this model's training data: OOD score 41.20 > threshold 30.05". */
  message: string;
}

export type Assessment =
  | { kind: 'refused'; rule: 'not-chest-ct'; reason: string; message: string }
  | { kind: 'ok'; warning: UnlikeTrainingWarning | null };

/** The OOD rule alone: a score above the model's threshold is unlike its training data. */
export function unlikeTrainingData(score: number | null, meta: Pick<ModelMetadata, 'ood'>): boolean {
  return meta.ood !== undefined && score !== null && score > meta.ood.threshold;
}

/**
 * `check` is checkChestCt's verdict on the decoded pixels (pass `{ ok: true }` for an input the
 * not-CT rule does not apply to); `oodScore` is the embedding score (null: the model has none, or
 * inference was skipped because the input was refused).
 */
export function assessInput(check: Pick<ChestCtCheck, 'ok'> & { reason?: string }, oodScore: number | null, meta: Pick<ModelMetadata, 'ood'>): Assessment {
  if (!check.ok) {
    const reason = check.reason ?? 'failed the chest CT check';
    return { kind: 'refused', rule: 'not-chest-ct', reason, message: `${NOT_CT_MESSAGE}: ${reason}` };
  }
  if (!unlikeTrainingData(oodScore, meta)) return { kind: 'ok', warning: null };
  const score = oodScore!;
  const threshold = meta.ood!.threshold;
  return {
    kind: 'ok',
    warning: {
      rule: 'unlike-training-data',
      score,
      threshold,
      message: `${UNLIKE_TRAINING_MESSAGE}: OOD score ${score.toFixed(2)} > threshold ${threshold.toFixed(2)}`,
    },
  };
}
