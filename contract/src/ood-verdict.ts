/**
 * What the model's embedding (OOD) rule says about one image, in one place, so the CLI's
 * validate, the browser and the exports count refusals the same way.
 *
 * The rule that runs today is the original one: an OOD score above metadata.ood.threshold is
 * refused as "Not a chest CT" (the app's OOD_MESSAGE). The issue asks to split it into a content
 * rule ("not a chest CT", refused) and this embedding rule ("unlike the training data", a warning);
 * when that lands, only this function changes, and `outcome` already has room for 'warned'.
 */
import type { ModelMetadata } from './metadata';

export type VerdictOutcome = 'accepted' | 'warned' | 'refused';

export interface OodVerdict {
  outcome: VerdictOutcome;
  /** Shown to the user for 'warned' and 'refused'. */
  reason?: string;
  /** Which rule decided, for reports: several rules may coexist while they are being replaced. */
  rule: string;
  score: number | null;
  threshold: number | null;
}

export const OOD_RULE = 'embedding-ood-refusal-v1: refused as "Not a chest CT" when the OOD score exceeds metadata.ood.threshold';

/** `score` is oodScore(embedding, metadata.ood), or null when the model has no embedding output. */
export function oodVerdict(score: number | null, meta: Pick<ModelMetadata, 'ood'>): OodVerdict {
  if (!meta.ood || score === null) return { outcome: 'accepted', rule: `${OOD_RULE} (not applied: the model has no OOD statistics)`, score, threshold: null };
  const threshold = meta.ood.threshold;
  if (score > threshold)
    return { outcome: 'refused', reason: `Not a chest CT: OOD score ${score.toFixed(2)} is above the model's threshold ${threshold.toFixed(2)}`, rule: OOD_RULE, score, threshold };
  return { outcome: 'accepted', rule: OOD_RULE, score, threshold };
}
