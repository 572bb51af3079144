/**
 * The model's home in Cache Storage: one cache per model id (content-addressed shards make every
 * entry immutable for that id), plus a small "pinned" record saying which model this origin is
 * using. Only bytes that passed their sha256 check are ever written here.
 *
 * Cache Storage exists in pages, dedicated workers and service workers alike; where it does not
 * (Node, opaque origins) `open()` returns null and the loader works from the network alone.
 */

const MODEL_CACHE_PREFIX = 'respidetect-model-';
// Deliberately outside MODEL_CACHE_PREFIX, so removing old models never removes the pin.
const STATE_CACHE = 'respidetect-state';

export const modelCacheName = (modelId: string): string => `${MODEL_CACHE_PREFIX}${modelId}`;

const pinKey = (base: string): string => new URL('.respidetect-pinned', base).href;

function cacheStorage(): CacheStorage | null {
  try {
    return typeof caches === 'undefined' ? null : caches;
  } catch {
    // Accessing `caches` throws SecurityError in opaque origins.
    return null;
  }
}

export class ModelCacheStore {
  private constructor(private readonly storage: CacheStorage) {}

  static open(): ModelCacheStore | null {
    const s = cacheStorage();
    return s ? new ModelCacheStore(s) : null;
  }

  /** The model id this origin uses for `base`, until the user accepts an update. */
  async getPinned(base: string): Promise<string | null> {
    const res = await (await this.storage.open(STATE_CACHE)).match(pinKey(base));
    if (!res) return null;
    try {
      const v = (await res.json()) as { modelId?: unknown };
      return typeof v.modelId === 'string' ? v.modelId : null;
    } catch {
      return null;
    }
  }

  async setPinned(base: string, modelId: string): Promise<void> {
    const body = JSON.stringify({ modelId, pinnedAt: new Date().toISOString() });
    await (await this.storage.open(STATE_CACHE)).put(pinKey(base), new Response(body, { headers: { 'content-type': 'application/json' } }));
  }

  async clearPinned(base: string): Promise<void> {
    await (await this.storage.open(STATE_CACHE)).delete(pinKey(base));
  }

  async read(modelId: string, url: string): Promise<Uint8Array | null> {
    const name = modelCacheName(modelId);
    if (!(await this.storage.has(name))) return null;
    const res = await (await this.storage.open(name)).match(url);
    return res ? new Uint8Array(await res.arrayBuffer()) : null;
  }

  async write(modelId: string, url: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const res = new Response(bytes as Uint8Array<ArrayBuffer>, {
      headers: { 'content-type': contentType, 'content-length': String(bytes.byteLength) },
    });
    await (await this.storage.open(modelCacheName(modelId))).put(url, res);
  }

  /** Removes `url` from every cache on the origin (ours, Workbox's, any other), so nothing can serve the bad copy again. */
  async evict(url: string): Promise<void> {
    for (const name of await this.storage.keys()) {
      await (await this.storage.open(name)).delete(url, { ignoreVary: true, ignoreSearch: false });
    }
  }

  /** Model ids that have a cache on this origin. */
  async modelIds(): Promise<string[]> {
    return (await this.storage.keys()).filter((n) => n.startsWith(MODEL_CACHE_PREFIX)).map((n) => n.slice(MODEL_CACHE_PREFIX.length));
  }

  /** Deletes every model cache except `keepId`'s: old models go once the new one is fully verified and in use. */
  async removeOtherModels(keepId: string): Promise<string[]> {
    const removed: string[] = [];
    for (const id of await this.modelIds()) {
      if (id !== keepId && (await this.storage.delete(modelCacheName(id)))) removed.push(id);
    }
    return removed;
  }
}
