import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ModelMetadata } from '../contract';
import { Dropzone } from '../features/classify/components/Dropzone';
import { ResultsTable } from '../features/classify/components/ResultsTable';
import { summarize, useQueue } from '../features/classify/stores/queue';
import type { InferenceState } from './use-inference';

export function ClassifyPage({ meta, inference, hidden }: { meta: ModelMetadata; inference: InferenceState; hidden: boolean }) {
  const counts = useQueue(useShallow((s) => summarize(s)));
  const [selected, setSelected] = useState<string | null>(null);
  const pending = counts.queued + counts.running;
  return (
    <div hidden={hidden} className="classify">
      {inference.error ? (
        <p role="alert" className="error-text" data-testid="model-error">
          The model could not be loaded: {inference.error.message}
        </p>
      ) : null}
      {!inference.ready && !inference.error ? <p data-testid="backend-starting">Starting the model (choosing the fastest backend on this device)…</p> : null}
      <Dropzone onFiles={inference.enqueue} />
      <div className="queue-bar">
        <p aria-live="polite" data-testid="summary">
          {counts.total === 0
            ? 'No images yet.'
            : `${counts.done} classified, ${counts.refused} refused, ${counts.error} failed${pending ? `, ${pending} in progress` : ''} of ${counts.total}.`}
        </p>
        {pending > 0 ? (
          <button type="button" onClick={inference.cancelAll} data-testid="cancel">
            Cancel queued
          </button>
        ) : null}
      </div>
      <ResultsTable meta={meta} selected={selected} onSelect={setSelected} />
    </div>
  );
}
