/**
 * What a finished file means for the user: a prediction, with a warning when the model's OOD
 * score says the CT is unlike its training data. The rule itself is the contract's assessInput,
 * the same function training, validate and the exports use; the not-a-chest-CT refusal already
 * happened in the worker (a refused file never becomes a result).
 */
import { assessInput, decide, type Decision, type ModelMetadata, type UnlikeTrainingWarning } from '@respidetect/contract';
import type { ResultMessage } from '../../../lib/worker-protocol/messages';

export type Interpretation =
  | { kind: 'prediction'; decision: Decision; probabilities: number[]; oodScore: number | null; warning: UnlikeTrainingWarning | null }
  | { kind: 'refused'; message: string };

export function interpret(result: Pick<ResultMessage, 'probabilities' | 'oodScore' | 'chestCt'>, meta: ModelMetadata): Interpretation {
  const a = assessInput(result.chestCt, result.oodScore, meta);
  if (a.kind === 'refused') return { kind: 'refused', message: a.message };
  return { kind: 'prediction', decision: decide(result.probabilities, meta), probabilities: result.probabilities, oodScore: result.oodScore, warning: a.warning };
}
