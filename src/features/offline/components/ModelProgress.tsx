import { formatBytes, percent } from '../format';

export interface ModelProgressProps {
  /** From fetchModelFiles' onProgress, forwarded by the inference worker; null before the first event. */
  progress: { loadedBytes: number; totalBytes: number; file?: string } | null;
}

/** First-visit model download: bytes and percent; cached loads pass through it in a blink. */
export function ModelProgress({ progress }: ModelProgressProps) {
  if (!progress) return null;
  const { loadedBytes, totalBytes } = progress;
  const pct = percent(loadedBytes, totalBytes);
  return (
    <div className="model-progress" data-testid="model-progress" data-loaded={loadedBytes} data-total={totalBytes}>
      <label>
        <span>{pct < 100 ? 'Downloading the model' : 'Model downloaded'}</span>{' '}
        <progress max={totalBytes || 1} value={Math.min(loadedBytes, totalBytes)} aria-valuetext={`${pct}%`} />{' '}
        <span>
          {formatBytes(loadedBytes)} of {formatBytes(totalBytes)} ({pct}%)
        </span>
      </label>
    </div>
  );
}
