/** What a finished file means for the user: a prediction, or "not a chest CT". */
import { decide, type Decision, type ModelMetadata } from '@respidetect/contract';
import type { ResultMessage } from '../../inference/protocol';

export const OOD_MESSAGE = 'Not a chest CT: no prediction';

export type Interpretation =
  | { kind: 'prediction'; decision: Decision; probabilities: number[]; oodScore: number | null }
  | { kind: 'ood'; oodScore: number; threshold: number };

export function interpret(result: Pick<ResultMessage, 'probabilities' | 'oodScore'>, meta: ModelMetadata): Interpretation {
  if (meta.ood && result.oodScore !== null && result.oodScore > meta.ood.threshold)
    return { kind: 'ood', oodScore: result.oodScore, threshold: meta.ood.threshold };
  return { kind: 'prediction', decision: decide(result.probabilities, meta), probabilities: result.probabilities, oodScore: result.oodScore };
}
