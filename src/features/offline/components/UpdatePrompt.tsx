import { useEffect, useRef, useState } from 'react';
import type { ModelUpdateSource } from '../../../lib/model-update';
import { applyUpdate, checkForUpdates, registerServiceWorker, useUpdateStore } from '../updates';

export interface UpdatePromptProps {
  /** True while a batch is being classified: the switch waits for it. */
  isBusy: () => boolean;
  /** The deployed model's side (model delivery, wired in App); keep it one object, the checks re-arm when it changes. */
  model: ModelUpdateSource;
  /** How often to look for a new deployment while the page is open. */
  intervalMs?: number;
}

/**
 * Registers the service worker and asks before switching to a new deployment. Checks on mount,
 * when the network comes back, when the tab becomes visible, and every `intervalMs`.
 */
export function UpdatePrompt({ isBusy, model, intervalMs = 15 * 60_000 }: UpdatePromptProps) {
  const { appUpdate, modelUpdate, deferred, error } = useUpdateStore();
  const [dismissed, setDismissed] = useState(false);
  // The latest isBusy without re-running the effect (and re-arming its timers) on every render.
  const busy = useRef(isBusy);
  useEffect(() => {
    busy.current = isBusy;
  }, [isBusy]);

  useEffect(() => {
    registerServiceWorker();
    const check = () => void checkForUpdates(model, () => busy.current());
    const onVisible = () => document.visibilityState === 'visible' && check();
    check();
    window.addEventListener('online', check);
    document.addEventListener('visibilitychange', onVisible);
    const timer = setInterval(check, intervalMs);
    return () => {
      window.removeEventListener('online', check);
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(timer);
    };
  }, [model, intervalMs]);

  if (error) console.warn(error);
  if ((!appUpdate && !modelUpdate) || (dismissed && !deferred)) return null;
  return (
    <div className="update-prompt" role="status" data-testid="update-prompt">
      <p>
        {modelUpdate
          ? `A new model is available (${modelUpdate.latest.modelId}, replacing ${modelUpdate.currentModelId ?? 'the current one'}).`
          : 'A new version of RespiDetect is available.'}{' '}
        {deferred ? 'It will be switched on when the current batch finishes.' : 'Switch now? The page reloads, so export any results you want to keep first.'}
      </p>
      {deferred ? null : (
        <>
          <button type="button" data-testid="update-accept" onClick={() => void applyUpdate(model, isBusy)}>
            Update now
          </button>{' '}
          <button type="button" onClick={() => setDismissed(true)}>
            Later
          </button>
        </>
      )}
    </div>
  );
}
