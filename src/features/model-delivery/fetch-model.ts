/**
 * Loading a model for inference: metadata.json first (validated against the contract), then
 * model.json and every shard, each checked against metadata's sha256 before it is used or cached.
 *
 * Which model: the one pinned on this origin (see model-cache.ts) when it is cached, so a new
 * deployment never swaps the model under the user; the update prompt clears the pin when the user
 * accepts. Without a pin, the deployed model (metadata.json fetched network-first, revalidated
 * with no-cache so a new deployment is seen at once), falling back to the newest complete cached
 * model when the network is unreachable.
 */
import {
  checkShardsMatchMetadata,
  expectedWeightBytes,
  joinShards,
  parseModelJson,
  readMetadataJson,
  shardPaths,
  type ModelJson,
  type ModelMetadata,
} from '@respidetect/contract';
import { download, NotFoundError } from './download';
import { ModelDownloadError, ModelIntegrityError, NoModelError } from './errors';
import { ModelCacheStore } from './model-cache';
import { sha256Hex } from './sha256';

export interface ModelLoadProgress {
  /** Weight bytes in hand (from the network or the cache). */
  loadedBytes: number;
  /** All weight bytes of the model, from the weights manifest (or Content-Length when it cannot say). */
  totalBytes: number;
  /** The shard that moved last. */
  file?: string;
}

export interface FetchModelOptions {
  onProgress?: (p: ModelLoadProgress) => void;
  signal?: AbortSignal;
  /** Attempts after the first, per file. Default 4, or 0 when the browser knows it is offline. */
  retries?: number;
  backoffMs?: number;
  /** Shards downloaded at once. */
  concurrency?: number;
}

export interface VerifiedModelFiles {
  metadata: ModelMetadata;
  modelJson: ModelJson;
  /** All shards concatenated in manifest order: what tf.io.fromMemory expects. */
  weightData: ArrayBuffer;
  /** Where the bytes came from, for the UI and the benchmarks. */
  stats: { networkBytes: number; cachedBytes: number; refetched: string[] };
}

interface Ctx {
  opts: FetchModelOptions;
  retries: number;
  store: ModelCacheStore | null;
  stats: VerifiedModelFiles['stats'];
  progress: Progress;
}

class Progress {
  private readonly files = new Map<string, { loaded: number; total: number | null }>();
  private expected: number | null = null;

  constructor(private readonly onProgress?: (p: ModelLoadProgress) => void) {}

  start(expected: number | null): void {
    this.expected = expected;
    if (expected !== null) this.onProgress?.({ loadedBytes: 0, totalBytes: expected });
  }

  update(file: string, loaded: number, total: number | null): void {
    this.files.set(file, { loaded, total });
    if (!this.onProgress) return;
    let loadedBytes = 0;
    let known = 0;
    for (const f of this.files.values()) {
      loadedBytes += f.loaded;
      known += f.total ?? f.loaded;
    }
    const totalBytes = Math.max(this.expected ?? known, loadedBytes);
    this.onProgress({ loadedBytes, totalBytes, file });
  }
}

const decoder = new TextDecoder();

function resolveBase(baseUrl: string): string {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const abs = here ? new URL(baseUrl, here) : new URL(baseUrl);
  if (!abs.pathname.endsWith('/')) abs.pathname += '/';
  return abs.href;
}

function parseMetadataBytes(bytes: Uint8Array): ModelMetadata {
  // A server with an SPA fallback answers index.html for a missing file: that is "no model".
  if (/^\s*</.test(decoder.decode(bytes))) throw new NoModelError('No model is deployed: the server answered an HTML page for metadata.json.');
  return readMetadataJson(bytes);
}

const short = (h: string) => h.slice(0, 12);

/**
 * A file's bytes, verified. Cache first (content-addressed per model id); a cached copy that fails
 * its hash is evicted and fetched once more bypassing every cache; a network copy that fails is
 * fetched once more the same way. What still fails is a ModelIntegrityError naming the file.
 */
async function getVerified(ctx: Ctx, modelId: string, file: string, url: string, expected: string, weights: boolean): Promise<Uint8Array> {
  const { store, opts } = ctx;
  const report = (loaded: number, total: number | null) => {
    if (weights) ctx.progress.update(file, loaded, total);
  };
  const fetchOnce = async (cache: RequestCache): Promise<Uint8Array> => {
    const bytes = await download(url, file, {
      cache,
      signal: opts.signal,
      retries: ctx.retries,
      backoffMs: opts.backoffMs,
      onProgress: report,
    });
    ctx.stats.networkBytes += bytes.byteLength;
    return bytes;
  };

  const cached = store ? await store.read(modelId, url) : null;
  let firstProblem: string;
  if (cached) {
    const got = await sha256Hex(cached);
    if (got === expected) {
      ctx.stats.cachedBytes += cached.byteLength;
      report(cached.byteLength, cached.byteLength);
      return cached;
    }
    firstProblem = `the cached copy failed its sha256 check (expected ${short(expected)}…, got ${short(got)}…)`;
    await store!.evict(url);
  } else {
    const bytes = await fetchOnce('default');
    const got = await sha256Hex(bytes);
    if (got === expected) {
      await store?.write(modelId, url, bytes, weights ? 'application/octet-stream' : 'application/json');
      return bytes;
    }
    firstProblem = `the downloaded copy failed its sha256 check (expected ${short(expected)}…, got ${short(got)}…)`;
    await store?.evict(url);
  }

  // One more try, straight from the server: 'reload' skips the HTTP cache as well as ours.
  let again: Uint8Array;
  try {
    again = await fetchOnce('reload');
  } catch (e) {
    if (e instanceof ModelDownloadError)
      throw new ModelIntegrityError(file, 'hash-mismatch', `${firstProblem}, and a fresh copy could not be downloaded (offline?): ${e.message}`);
    throw e;
  }
  const got = await sha256Hex(again);
  if (got !== expected)
    throw new ModelIntegrityError(file, 'hash-mismatch', `${firstProblem}, and the server's copy fails too (got ${short(got)}…): the deployment is inconsistent`);
  await store?.write(modelId, url, again, weights ? 'application/octet-stream' : 'application/json');
  ctx.stats.refetched.push(file);
  return again;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

async function assemble(ctx: Ctx, base: string, metadata: ModelMetadata, metaBytes: Uint8Array): Promise<VerifiedModelFiles> {
  const id = metadata.modelId;
  const modelUrl = new URL('model.json', base).href;
  const modelBytes = await getVerified(ctx, id, 'model.json', modelUrl, metadata.hashes.modelJson, false);
  const modelJson = parseModelJson(modelBytes);
  checkShardsMatchMetadata(modelJson, metadata);
  const paths = shardPaths(modelJson);
  const expected = expectedWeightBytes(modelJson);
  ctx.progress.start(expected);
  const parts = await mapLimited(paths, ctx.opts.concurrency ?? 3, (p) =>
    getVerified(ctx, id, p, new URL(p, modelUrl).href, metadata.hashes.weights[p]!, true),
  );
  const weightData = joinShards(modelJson, parts);
  if (ctx.store) {
    // metadata.json goes in last: its presence marks the model's cache as complete.
    await ctx.store.write(id, new URL('metadata.json', base).href, metaBytes, 'application/json');
    await ctx.store.setPinned(base, id);
    await ctx.store.removeOtherModels(id);
  }
  return { metadata, modelJson, weightData: weightData.buffer, stats: ctx.stats };
}

/** The newest model whose cache is complete (has metadata.json), for when the server is unreachable. */
async function newestCachedModel(store: ModelCacheStore, metaUrl: string): Promise<{ metadata: ModelMetadata; bytes: Uint8Array } | null> {
  let best: { metadata: ModelMetadata; bytes: Uint8Array } | null = null;
  for (const id of await store.modelIds()) {
    const bytes = await store.read(id, metaUrl);
    if (!bytes) continue;
    try {
      const metadata = parseMetadataBytes(bytes);
      if (metadata.modelId === id && (!best || Date.parse(metadata.createdAt) > Date.parse(best.metadata.createdAt))) best = { metadata, bytes };
    } catch {
      // A cache this build cannot read is not a candidate.
    }
  }
  return best;
}

function defaultRetries(): number {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine === false ? 0 : 4;
}

export async function fetchModelFiles(baseUrl: string, opts: FetchModelOptions = {}): Promise<VerifiedModelFiles> {
  const base = resolveBase(baseUrl);
  const metaUrl = new URL('metadata.json', base).href;
  const store = ModelCacheStore.open();
  const ctx = (): Ctx => ({
    opts,
    retries: opts.retries ?? defaultRetries(),
    store,
    stats: { networkBytes: 0, cachedBytes: 0, refetched: [] },
    progress: new Progress(opts.onProgress),
  });

  const pinned = store ? await store.getPinned(base) : null;
  if (store && pinned) {
    const bytes = await store.read(pinned, metaUrl);
    const metadata = bytes ? parseMetadataBytes(bytes) : null;
    if (bytes && metadata?.modelId === pinned) {
      try {
        return await assemble(ctx(), base, metadata, bytes);
      } catch (e) {
        // The pinned model lost a file from the cache and the server no longer has it: the
        // deployed model is the only one that can work now.
        if (!(e instanceof NotFoundError)) throw e;
      }
    }
  }

  let metaBytes: Uint8Array;
  try {
    metaBytes = await download(metaUrl, 'metadata.json', { cache: 'no-cache', signal: opts.signal, retries: opts.retries ?? defaultRetries(), backoffMs: opts.backoffMs });
  } catch (e) {
    if (e instanceof NotFoundError) throw new NoModelError(`No model is deployed: ${metaUrl} answered 404.`);
    if (e instanceof ModelDownloadError) {
      const fallback = store ? await newestCachedModel(store, metaUrl) : null;
      if (fallback) return assemble(ctx(), base, fallback.metadata, fallback.bytes);
      throw new NoModelError(`The model cannot be downloaded (${e.message}) and no copy is cached on this device.`);
    }
    throw e;
  }
  const metadata = parseMetadataBytes(metaBytes);
  try {
    return await assemble(ctx(), base, metadata, metaBytes);
  } catch (e) {
    if (e instanceof NotFoundError) {
      if (e.file === 'model.json') throw new NoModelError(`No model is deployed: ${e.url} answered 404.`);
      throw new ModelIntegrityError(e.file, 'missing', `is listed in model.json but the server has no such file (404 at ${e.url})`);
    }
    throw e;
  }
}

/**
 * The metadata of the model fetchModelFiles would load now (pinned and cached, else deployed,
 * else newest cached), without the weights: for the page's model id and model card, so they
 * agree with the worker online and offline.
 */
export async function resolveModelMetadata(baseUrl: string, opts: { signal?: AbortSignal; retries?: number } = {}): Promise<ModelMetadata> {
  const base = resolveBase(baseUrl);
  const metaUrl = new URL('metadata.json', base).href;
  const store = ModelCacheStore.open();
  const pinned = store ? await store.getPinned(base) : null;
  if (store && pinned) {
    const bytes = await store.read(pinned, metaUrl);
    if (bytes) {
      const metadata = parseMetadataBytes(bytes);
      if (metadata.modelId === pinned) return metadata;
    }
  }
  try {
    return parseMetadataBytes(await download(metaUrl, 'metadata.json', { cache: 'no-cache', signal: opts.signal, retries: opts.retries ?? defaultRetries() }));
  } catch (e) {
    if (e instanceof NotFoundError) throw new NoModelError(`No model is deployed: ${metaUrl} answered 404.`);
    if (e instanceof ModelDownloadError) {
      const fallback = store ? await newestCachedModel(store, metaUrl) : null;
      if (fallback) return fallback.metadata;
      throw new NoModelError(`The model cannot be downloaded (${e.message}) and no copy is cached on this device.`);
    }
    throw e;
  }
}

export interface ModelUpdate {
  /** The model this origin is pinned to, or null before the first complete load. */
  currentModelId: string | null;
  /** The deployed model's metadata, validated. */
  latest: ModelMetadata;
}

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
