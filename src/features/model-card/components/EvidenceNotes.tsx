/**
 * What limits the model card's figures: a quick model's missing validation split and calibration,
 * a held-out part too small to conclude from, and the duplicate grouping behind the split.
 * Kept apart from the card's tables so each reads the one rule in the contract.
 */
import { classesTooSmallToConclude, classLabel, MIN_PER_CLASS_TO_CONCLUDE, type ModelMetadata } from '@respidetect/contract';

export function EvidenceNotes({ meta }: { meta: ModelMetadata }) {
  const ev = meta.evaluation;
  const missing = ev ? [ev.validationSplit ? null : 'no validation split', ev.calibrated ? null : 'no calibration'].filter(Boolean) : [];
  const small = classesTooSmallToConclude(meta);
  const g = ev?.grouping;
  if (!missing.length && !small?.length && !g) return null;
  return (
    <div data-testid="evidence-notes">
      {missing.length ? (
        <p className="notice" role="note" data-testid="quick-model-note">
          <strong>
            {ev?.method === 'quick' ? 'Quick model' : 'Model'}: {missing.join(', ')}.
          </strong>{' '}
          The figures below are on its held-out part at the threshold it ships ({meta.decisionThreshold.toFixed(2)}), with uncalibrated probabilities. Use{' '}
          <code>npm run pipeline</code> for a model with a validation split, calibration and a test split.
        </p>
      ) : null}
      {small?.length ? (
        <p className="notice" role="note" data-testid="too-small-note">
          <strong>Too small to conclude from:</strong> fewer than {MIN_PER_CLASS_TO_CONCLUDE} held-out images of{' '}
          {small.map((c) => `${classLabel(c.className)} (n = ${c.count})`).join(', ')}. Read these figures as a smoke test, not as evidence.
        </p>
      ) : null}
      {g ? (
        <p className="muted" data-testid="grouping-note">
          Split by duplicate group: {g.groups} groups ({g.exactRedundantCopies} exact copies and {g.nearGroups} near-duplicate groups holding {g.nearGroupedImages}{' '}
          images); no group is on both sides{g.labelConflicts ? `; ${g.labelConflicts} groups filed under two classes were left out` : ''}.
        </p>
      ) : null}
    </div>
  );
}
