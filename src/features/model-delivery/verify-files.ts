/**
 * A chosen model's files, verified: model.json and every shard checked against metadata's sha256
 * before they are used or cached, cache first, with one repair attempt from the server.
 */
import { checkShardsMatchMetadata, expectedWeightBytes, joinShards, parseModelJson, shardPaths } from '@respidetect/contract';
import type { VerifiedModelFiles } from '../../lib/verified-model-files';
import { download } from './download';
import { ModelDownloadError, ModelIntegrityError } from './errors';
import type { ModelCacheStore } from './model-cache';
import type { Progress } from './progress';
import type { ModelSource } from './resolve-source';
import { sha256Hex } from '../../lib/sha256';

export type { VerifiedModelFiles };

export interface VerifyContext {
  signal?: AbortSignal;
  retries: number;
  backoffMs?: number;
  /** Shards downloaded at once. */
  concurrency: number;
  store: ModelCacheStore | null;
  stats: VerifiedModelFiles['stats'];
  progress: Progress;
}

const short = (h: string) => h.slice(0, 12);

/** Downloads (or reads from the cache) and verifies every file of `source`, then pins it as this origin's model. */
export async function verifyModelFiles(ctx: VerifyContext, source: ModelSource): Promise<VerifiedModelFiles> {
  const { base, metadata } = source;
  const id = metadata.modelId;
  const modelUrl = new URL('model.json', base).href;
  const modelBytes = await getVerified(ctx, id, 'model.json', modelUrl, metadata.hashes.modelJson, false);
  const modelJson = parseModelJson(modelBytes);
  checkShardsMatchMetadata(modelJson, metadata);
  const paths = shardPaths(modelJson);
  ctx.progress.start(expectedWeightBytes(modelJson));
  const parts = await mapLimited(paths, ctx.concurrency, (p) => getVerified(ctx, id, p, new URL(p, modelUrl).href, metadata.hashes.weights[p]!, true));
  const weightData = joinShards(modelJson, parts);
  if (ctx.store) {
    // metadata.json goes in last: its presence marks the model's cache as complete.
    await ctx.store.write(id, new URL('metadata.json', base).href, source.metadataBytes, 'application/json');
    await ctx.store.setPinned(base, id);
    await ctx.store.removeOtherModels(id);
  }
  return { metadata, modelJson, weightData: weightData.buffer, stats: ctx.stats };
}

/**
 * A file's bytes, verified. Cache first (content-addressed per model id); a cached copy that fails
 * its hash is evicted and fetched once more bypassing every cache; a network copy that fails is
 * fetched once more the same way. What still fails is a ModelIntegrityError naming the file.
 */
async function getVerified(ctx: VerifyContext, modelId: string, file: string, url: string, expected: string, weights: boolean): Promise<Uint8Array> {
  const { store } = ctx;
  const report = (loaded: number, total: number | null) => {
    if (weights) ctx.progress.update(file, loaded, total);
  };
  const fetchOnce = async (cache: RequestCache): Promise<Uint8Array> => {
    const bytes = await download(url, file, { cache, signal: ctx.signal, retries: ctx.retries, backoffMs: ctx.backoffMs, onProgress: report });
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
