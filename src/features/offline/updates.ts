/**
 * Deployment updates: a new app build (a waiting service worker) and a new model (metadata.json
 * with another model id than the pinned one). Both end in one prompt; accepting waits until no
 * batch is running, unpins the model, activates the waiting worker if any, and reloads, so app
 * code and model switch together.
 */
import { Workbox } from 'workbox-window';
import { create } from 'zustand';
import type { ModelUpdate, ModelUpdateSource } from '../../lib/model-update';
import { BASE_URL, IS_PRODUCTION_BUILD } from '../../config/env';

export interface UpdateState {
  /** A new app build is installed and waiting. */
  appUpdate: boolean;
  modelUpdate: ModelUpdate | null;
  /** The shell is precached: the app will load with the network off. */
  offlineReady: boolean;
  /** Accepted, waiting for the running batch to finish. */
  deferred: boolean;
  error: string | null;
}

export const useUpdateStore = create<UpdateState>(() => ({ appUpdate: false, modelUpdate: null, offlineReady: false, deferred: false, error: null }));

let registration: Promise<ServiceWorkerRegistration | undefined> | null = null;

/** Registers /sw.js once per page (production builds only: the dev server has no service worker). */
export function registerServiceWorker(): void {
  if (registration || typeof navigator === 'undefined' || !('serviceWorker' in navigator) || !IS_PRODUCTION_BUILD) return;
  const workbox = new Workbox(`${BASE_URL}sw.js`, { scope: BASE_URL });
  workbox.addEventListener('waiting', () => useUpdateStore.setState({ appUpdate: true }));
  workbox.addEventListener('activated', (e) => {
    if (!e.isUpdate) useUpdateStore.setState({ offlineReady: true });
  });
  registration = workbox.register().catch((e: unknown) => {
    useUpdateStore.setState({ error: `service worker registration failed: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  });
  void navigator.serviceWorker.ready.then(() => useUpdateStore.setState({ offlineReady: true }));
}

/**
 * Looks for a new app build and a new model; quiet when offline. Never while a batch runs: the
 * app promises that classifying makes no network request at all, so each step re-checks.
 */
export function checkForUpdates(model: ModelUpdateSource, isBusy: () => boolean = () => false): Promise<void> {
  const check = runUpdateCheck(model, isBusy);
  firstCheck ??= check.catch(() => undefined);
  return check;
}

let firstCheck: Promise<void> | undefined;

/**
 * Settles when the page's first update check has (it starts on load and may wait for the service
 * worker to install). Tests wait for it before measuring that classifying uses no network.
 */
export const firstUpdateCheck = (): Promise<void> => firstCheck ?? Promise.resolve();

async function runUpdateCheck(model: ModelUpdateSource, isBusy: () => boolean): Promise<void> {
  if (isBusy()) return;
  const reg = await registration;
  if (isBusy()) return;
  await reg?.update().catch(() => undefined);
  if (isBusy()) return;
  const modelUpdate = await model.check().catch(() => null);
  useUpdateStore.setState({ modelUpdate });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `sw` has finished installing (or failed), at most after `ms`. */
function installed(sw: ServiceWorker, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      if (sw.state !== 'installing' && sw.state !== 'parsed') resolve();
    };
    sw.addEventListener('statechange', done);
    setTimeout(resolve, ms);
    done();
  });
}

/**
 * Switches to the new deployment once `isBusy()` is false. Before reloading it looks once more
 * for a new service worker and lets it finish installing, so a model update is never applied
 * under the previous build's code when a new build is on its way. The page then reloads: the new
 * worker (if any) serves the new app, and the unpinned loader takes the deployed model, deleting
 * the old model's cache once the new one is verified.
 */
export async function applyUpdate(model: ModelUpdateSource, isBusy: () => boolean): Promise<void> {
  if (isBusy()) {
    useUpdateStore.setState({ deferred: true });
    while (isBusy()) await sleep(250);
  }
  await model.release();
  const reg = await registration;
  if (reg) {
    await reg.update().catch(() => undefined);
    if (reg.installing) await installed(reg.installing, 60_000);
    const waiting = reg.waiting;
    if (waiting) {
      // Reload once the new worker controls the page; a timeout covers one that never claims.
      const controlled = new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
        setTimeout(resolve, 10_000);
      });
      waiting.postMessage({ type: 'SKIP_WAITING' });
      await controlled;
    }
  }
  location.reload();
}
