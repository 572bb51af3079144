/** Persistent storage and how much of it the app uses (the cached model is most of it). */

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

/**
 * Asks once for persistent storage, so the browser does not evict the cached model under storage
 * pressure (which would break the next offline session). Chromium grants it silently to installed
 * or engaged sites and refuses silently otherwise; either way the answer is shown.
 */
export async function requestPersistence(): Promise<boolean | null> {
  const s = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!s?.persist) return null;
  try {
    return (await s.persisted()) || (await s.persist());
  } catch {
    return null;
  }
}

export async function storageInfo(): Promise<StorageInfo> {
  const s = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!s?.estimate) return { usage: null, quota: null, persisted: null };
  const [estimate, persisted] = await Promise.all([s.estimate(), s.persisted ? s.persisted() : Promise.resolve(null)]);
  return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}
