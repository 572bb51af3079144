import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ModelMetadata } from '@respidetect/contract';
import { Dropzone } from '../features/classify/components/Dropzone';
import { LocalModelLoader } from '../features/classify/components/LocalModelLoader';
import { ResultDetail } from '../features/classify/components/ResultDetail';
import { ResultsTable, useRows } from '../features/classify/components/ResultsTable';
import { SeriesSummaries } from '../features/classify/components/SeriesSummaries';
import { countRows, summaryLine } from '../features/classify/logic/rows';
import { summarize, useQueue } from '../features/classify/stores/queue';
import { ExportBar } from '../features/exports/ExportBar';
import { DecisionSummaryLine } from '../features/model-card/components/DecisionFigures';
import type { InferenceState } from './use-inference';

export function ClassifyPage({
  meta,
  inference,
  hidden,
  onLoadModel,
  switching,
}: {
  meta: ModelMetadata;
  inference: InferenceState;
  hidden: boolean;
  /** Verifies and switches to a model from local files; resolves with its model id. */
  onLoadModel: (files: File[]) => Promise<string>;
  /** The model in use is changing (features/model-switch): no file may be queued meanwhile. */
  switching: boolean;
}) {
  const counts = useQueue(useShallow((s) => summarize(s)));
  const rows = useRows(meta);
  const rowCounts = countRows(rows);
  const [selected, setSelected] = useState<string | null>(null);
  const selectedRow = rows.find((r) => r.id === selected && r.item.result);
  const pending = counts.queued + counts.running;
  return (
    <div hidden={hidden} className="classify">
      {inference.error ? (
        <p role="alert" className="error-text" data-testid="model-error">
          The model could not be started: {inference.error.message}
        </p>
      ) : null}
      {!inference.ready && !inference.error ? <p data-testid="backend-starting">Starting the model (choosing the fastest backend on this device)…</p> : null}
      <div className="print-only">
        <h2>RespiDetect report — research use only, not a medical device</h2>
        <p>
          Model <code>{meta.modelId}</code> · decision threshold {meta.decisionThreshold} · printed {new Date().toLocaleString()}
        </p>
      </div>
      <div className={selectedRow ? 'layout' : undefined}>
        <div>
          <Dropzone onFiles={inference.enqueue} disabled={switching} />
          <LocalModelLoader onFiles={onLoadModel} disabled={pending > 0 || !inference.ready || switching} />
          <p className="muted no-print">
            Scans from your own scanner? <a href="#/adapt" data-testid="classify-adapt-link">Adapt the model to your labelled images</a> (in this browser).
          </p>
          <div className="queue-bar">
            <p
              aria-live="polite"
              role="status"
              data-testid="summary"
              data-classified={rowCounts.classified}
              data-warned={rowCounts.warned}
              data-refused={rowCounts.refused}
              data-failed={rowCounts.failed}
            >
              {summaryLine(rowCounts)}
            </p>
            {pending > 0 ? (
              <button type="button" onClick={inference.cancelAll} data-testid="cancel">
                Cancel queued
              </button>
            ) : null}
            {counts.total > 0 ? <ExportBar rows={rows} meta={meta} /> : null}
          </div>
          {rowCounts.classified > 0 ? <DecisionSummaryLine meta={meta} /> : null}
          <ResultsTable meta={meta} all={rows} selected={selected} onSelect={setSelected} />
          <SeriesSummaries rows={rows} meta={meta} />
        </div>
        {selectedRow ? <ResultDetail key={selectedRow.id} row={selectedRow} meta={meta} onClose={() => setSelected(null)} /> : null}
      </div>
    </div>
  );
}
