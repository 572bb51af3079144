/**
 * Model updates: which model the server deploys now against the one this origin is pinned to, and
 * unpinning when the user accepts the new one (features/offline's update prompt calls both).
 */
import type { ModelMetadata } from '@respidetect/contract';
import { download, NotFoundError } from './download';
import { ModelDownloadError, ModelIntegrityError, NoModelError } from './errors';
import { ModelCacheStore } from './model-cache';
import { parseMetadataBytes, resolveBase } from './resolve-source';
import type { ModelUpdate } from '../../lib/model-update';

/**
 * Asks the server which model is deployed (network only, revalidated) and compares it with the
 * pinned one. Null when they match, nothing is pinned yet, or the server cannot be reached.
 * A deployed metadata.json this build cannot read is not offered: its app update will be.
 */
export async function checkForModelUpdate(baseUrl: string, signal?: AbortSignal): Promise<ModelUpdate | null> {
  const base = resolveBase(baseUrl);
  const store = ModelCacheStore.open();
  const current = store ? await store.getPinned(base) : null;
  if (!current) return null;
  let latest: ModelMetadata;
  try {
    latest = parseMetadataBytes(await download(new URL('metadata.json', base).href, 'metadata.json', { cache: 'no-cache', signal, retries: 0 }));
  } catch (e) {
    if (e instanceof ModelDownloadError || e instanceof NotFoundError || e instanceof ModelIntegrityError || e instanceof NoModelError) return null;
    if (e instanceof TypeError) return null;
    throw e;
  }
  return latest.modelId === current ? null : { currentModelId: current, latest };
}

/** Unpins the current model so the next load takes the deployed one (the caller then reloads). */
export async function releaseModelPin(baseUrl: string): Promise<void> {
  await ModelCacheStore.open()?.clearPinned(resolveBase(baseUrl));
}
