/**
 * Which model to load, decided once for the loader: the one pinned on this origin (see
 * model-cache.ts) when its cache is complete, so a new deployment never swaps the model under the
 * user; else the deployed model (metadata.json fetched network-first, revalidated with no-cache so
 * a new deployment is seen at once); else, with the server unreachable, the newest complete cached
 * model. Only metadata.json is read here; verify-files.ts fetches and checks the rest.
 */
import { readMetadataJson, type ModelMetadata } from '@respidetect/contract';
import { download, NotFoundError } from './download';
import { ModelDownloadError, NoModelError } from './errors';
import type { ModelCacheStore } from './model-cache';

export interface ModelSource {
  /** The model folder's absolute URL, ending in '/'. */
  base: string;
  /** pinned: the cached model this origin is pinned to; deployed: the server's; cached: the newest cached one (server unreachable). */
  kind: 'pinned' | 'deployed' | 'cached';
  metadata: ModelMetadata;
  /** metadata.json as read: written to the cache last, to mark the model's cache complete. */
  metadataBytes: Uint8Array;
}

export interface ResolveOptions {
  signal?: AbortSignal;
  retries: number;
  backoffMs?: number;
  /** Skip the pinned model (it lost a file that the server no longer has). */
  skipPinned?: boolean;
}

const decoder = new TextDecoder();

/** `baseUrl` made absolute (against the page or worker location) and ending in '/'. */
export function resolveBase(baseUrl: string): string {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const abs = here ? new URL(baseUrl, here) : new URL(baseUrl);
  if (!abs.pathname.endsWith('/')) abs.pathname += '/';
  return abs.href;
}

export function parseMetadataBytes(bytes: Uint8Array): ModelMetadata {
  // A server with an SPA fallback answers index.html for a missing file: that is "no model".
  if (/^\s*</.test(decoder.decode(bytes))) throw new NoModelError('No model is deployed: the server answered an HTML page for metadata.json.');
  return readMetadataJson(bytes);
}

/** Attempts after the first, per file: none when the browser knows it is offline. */
export function defaultRetries(): number {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine === false ? 0 : 4;
}

export async function resolveSource(base: string, store: ModelCacheStore | null, opts: ResolveOptions): Promise<ModelSource> {
  const metaUrl = new URL('metadata.json', base).href;
  const pinned = store && !opts.skipPinned ? await store.getPinned(base) : null;
  if (store && pinned) {
    const bytes = await store.read(pinned, metaUrl);
    const metadata = bytes ? parseMetadataBytes(bytes) : null;
    if (bytes && metadata?.modelId === pinned) return { base, kind: 'pinned', metadata, metadataBytes: bytes };
  }

  let metadataBytes: Uint8Array;
  try {
    metadataBytes = await download(metaUrl, 'metadata.json', { cache: 'no-cache', signal: opts.signal, retries: opts.retries, backoffMs: opts.backoffMs });
  } catch (e) {
    if (e instanceof NotFoundError) throw new NoModelError(`No model is deployed: ${metaUrl} answered 404.`);
    if (e instanceof ModelDownloadError) {
      const fallback = store ? await newestCachedModel(store, metaUrl) : null;
      if (fallback) return { base, kind: 'cached', ...fallback };
      throw new NoModelError(`The model cannot be downloaded (${e.message}) and no copy is cached on this device.`);
    }
    throw e;
  }
  return { base, kind: 'deployed', metadata: parseMetadataBytes(metadataBytes), metadataBytes };
}

/** The newest model whose cache is complete (has metadata.json), for when the server is unreachable. */
async function newestCachedModel(store: ModelCacheStore, metaUrl: string): Promise<{ metadata: ModelMetadata; metadataBytes: Uint8Array } | null> {
  let best: { metadata: ModelMetadata; metadataBytes: Uint8Array } | null = null;
  for (const id of await store.modelIds()) {
    const bytes = await store.read(id, metaUrl);
    if (!bytes) continue;
    try {
      const metadata = parseMetadataBytes(bytes);
      if (metadata.modelId === id && (!best || Date.parse(metadata.createdAt) > Date.parse(best.metadata.createdAt))) best = { metadata, metadataBytes: bytes };
    } catch {
      // A cache this build cannot read is not a candidate.
    }
  }
  return best;
}
