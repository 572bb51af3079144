/**
 * "Use another model": model.json, its .bin shards and metadata.json dropped (or picked) together.
 * The worker checks the schema and every sha256 before anything runs; a refusal names the file and
 * the problem, and the current model stays in use.
 */
import { useState } from 'react';
import { useDropzone } from 'react-dropzone';
// The label the no-model page and the server's start-up line name too.
import { localModel as LABEL } from '../../../../server/src/get-a-model.json';

type State = { kind: 'idle' } | { kind: 'checking' } | { kind: 'ok'; modelId: string } | { kind: 'error'; message: string };

export function LocalModelLoader({ onFiles, disabled, open }: { onFiles: (files: File[]) => Promise<string>; disabled: boolean; open?: boolean }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const load = (files: File[]) => {
    if (files.length === 0) return;
    setState({ kind: 'checking' });
    onFiles(files).then(
      (modelId) => setState({ kind: 'ok', modelId }),
      (e: unknown) => setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  };
  const busy = disabled || state.kind === 'checking';
  const { getRootProps, getInputProps, isDragActive } = useDropzone({
    onDrop: (accepted, rejected) => load([...accepted, ...rejected.map((r) => r.file)]),
    disabled: busy,
    multiple: true,
  });
  return (
    <details className="local-model" data-testid="local-model" open={open}>
      <summary>{LABEL}</summary>
      <div
        {...getRootProps({
          className: `dropzone small${isDragActive ? ' active' : ''}${busy ? ' disabled' : ''}`,
          'aria-label': 'Model files: drop model.json, its .bin shards and metadata.json together, or press Enter to choose them',
          'aria-disabled': busy,
        })}
        data-testid="model-dropzone"
      >
        <input {...getInputProps()} data-testid="model-files-input" />
        <p>
          Drop <code>model.json</code>, its <code>.bin</code> shards and <code>metadata.json</code> together, or click to choose them.
        </p>
        {disabled ? <p className="muted">Available when no batch is running.</p> : null}
      </div>
      <p aria-live="polite" role="status" data-testid="local-model-status">
        {state.kind === 'checking' ? 'Checking the model files (schema and sha256 of every file)…' : null}
        {state.kind === 'ok' ? `Now using model ${state.modelId} (verified). Results of the previous model were cleared.` : null}
      </p>
      {state.kind === 'error' ? (
        <p role="alert" className="error-text" data-testid="local-model-error">
          This model was not loaded: {state.message}
        </p>
      ) : null}
    </details>
  );
}
