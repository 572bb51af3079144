/**
 * Loading a model for inference: resolveSource() decides which model (pinned and cached, else
 * deployed, else the newest cached when offline) from its metadata.json, validated against the
 * contract; verifyModelFiles() then fetches model.json and every shard, each checked against
 * metadata's sha256 before it is used or cached.
 */
import { NotFoundError } from './download';
import { ModelIntegrityError, NoModelError } from './errors';
import { ModelCacheStore } from './model-cache';
import { Progress, type ModelLoadProgress } from './progress';
import { defaultRetries, resolveBase, resolveSource, type ModelSource } from './resolve-source';
import { verifyModelFiles, type VerifiedModelFiles, type VerifyContext } from './verify-files';

export type { ModelLoadProgress, VerifiedModelFiles };

export interface FetchModelOptions {
  onProgress?: (p: ModelLoadProgress) => void;
  signal?: AbortSignal;
  /** Attempts after the first, per file. Default 4, or 0 when the browser knows it is offline. */
  retries?: number;
  backoffMs?: number;
  /** Shards downloaded at once. */
  concurrency?: number;
}

export async function fetchModelFiles(baseUrl: string, opts: FetchModelOptions = {}): Promise<VerifiedModelFiles> {
  const base = resolveBase(baseUrl);
  const store = ModelCacheStore.open();
  const retries = opts.retries ?? defaultRetries();
  const verify = (source: ModelSource) => {
    const ctx: VerifyContext = {
      signal: opts.signal,
      retries,
      backoffMs: opts.backoffMs,
      concurrency: opts.concurrency ?? 3,
      store,
      stats: { networkBytes: 0, cachedBytes: 0, refetched: [] },
      progress: new Progress(opts.onProgress),
    };
    return verifyModelFiles(ctx, source);
  };
  const resolveOpts = { signal: opts.signal, retries, backoffMs: opts.backoffMs };

  let source = await resolveSource(base, store, resolveOpts);
  if (source.kind === 'pinned') {
    try {
      return await verify(source);
    } catch (e) {
      // The pinned model lost a file from the cache and the server no longer has it: the
      // deployed model is the only one that can work now.
      if (!(e instanceof NotFoundError)) throw e;
    }
    source = await resolveSource(base, store, { ...resolveOpts, skipPinned: true });
  }
  if (source.kind === 'cached') return verify(source);
  try {
    return await verify(source);
  } catch (e) {
    if (e instanceof NotFoundError) {
      if (e.file === 'model.json') throw new NoModelError(`No model is deployed: ${e.url} answered 404.`);
      throw new ModelIntegrityError(e.file, 'missing', `is listed in model.json but the server has no such file (404 at ${e.url})`);
    }
    throw e;
  }
}
