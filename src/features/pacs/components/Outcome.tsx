/** The classified series: its decision and figures, the images not scored, and the report to send or save. */
import { downloadBytes } from '../../../lib/download';
import { pct } from '../logic/format';
import type { Done, Sent } from '../logic/session-types';

export interface OutcomeProps {
  job: Done;
  busy: boolean;
  onSend: () => void;
  sent: Sent | null;
}

const saveReport = (job: Done): void => downloadBytes(`respidetect-report-${job.series.seriesInstanceUid}.dcm`, 'application/dicom', job.sr.slice().buffer);

export function Outcome({ job, busy, onSend, sent }: OutcomeProps) {
  const { outcome } = job;
  const r = outcome.report;
  const positive = r.classNames[r.positiveClass]!;
  const decision = r.decision.positive ? positive : `not ${positive}`;
  return (
    <div className="pacs-outcome" data-testid="pacs-outcome" data-decision={r.decision.positive ? 'positive' : 'negative'} data-scored={outcome.scored}>
      <h3>
        Series #{job.series.seriesNumber ?? '?'}: <strong data-testid="pacs-decision">{decision}</strong>
      </h3>
      <p>
        {r.decision.slicesAtOrAbove} of {r.decision.slices} images at or above the threshold {r.threshold.toFixed(3)}; highest {pct(r.max)}, mean {pct(r.mean)}. Rule: {r.rule}.
        Model <code>{r.modelId}</code>. Research use only.
      </p>
      {outcome.unscored.length ? (
        <p className="warning-text" data-testid="pacs-unscored">
          {outcome.unscored.length} images not scored: {outcome.unscored[0]!.message}
          {outcome.unscored.length > 1 ? ' (and others)' : ''}
        </p>
      ) : null}
      {outcome.warned ? <p className="warning-text">⚠ {outcome.warned} images unlike this model’s training data.</p> : null}
      <button type="button" data-testid="pacs-send" disabled={busy || sent !== null} onClick={onSend}>
        Send report to PACS
      </button>{' '}
      <button type="button" data-testid="pacs-download" onClick={() => saveReport(job)}>
        Download report (.dcm)
      </button>
      {sent ? (
        <p role="status" data-testid="pacs-sent" data-sop-uid={sent.sopInstanceUid}>
          Report stored in the PACS (SOP Instance UID {sent.sopInstanceUid}).
        </p>
      ) : null}
    </div>
  );
}
