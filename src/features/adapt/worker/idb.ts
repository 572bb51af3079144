/**
 * The adaptation's IndexedDB: per-image embeddings (keyed by model id and image sha256) and the
 * head's per-epoch checkpoint, so a reload recomputes nothing it had and loses at most one epoch.
 * A thin promise wrapper over the raw API: two stores and get/put/delete need nothing more.
 */
const DB_NAME = 'respidetect-adapt';
const VERSION = 1;
export const STORES = { embeddings: 'embeddings', checkpoints: 'checkpoints' } as const;
type Store = (typeof STORES)[keyof typeof STORES];

let opening: Promise<IDBDatabase | null> | null = null;

const done = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

/** Null where IndexedDB is unavailable (private modes of some browsers): adaptation then just recomputes. */
function open(): Promise<IDBDatabase | null> {
  opening ??= (async () => {
    if (typeof indexedDB === 'undefined') return null;
    try {
      const req = indexedDB.open(DB_NAME, VERSION);
      req.onupgradeneeded = () => {
        for (const s of Object.values(STORES)) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
      };
      return await done(req);
    } catch {
      return null;
    }
  })();
  return opening;
}

export async function idbGet<T>(store: Store, key: string): Promise<T | undefined> {
  const db = await open();
  if (!db) return undefined;
  return (await done(db.transaction(store).objectStore(store).get(key))) as T | undefined;
}

export async function idbPut(store: Store, key: string, value: unknown): Promise<void> {
  const db = await open();
  if (!db) return;
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).put(value, key);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
  });
}

export async function idbDelete(store: Store, key: string): Promise<void> {
  const db = await open();
  if (!db) return;
  await done(db.transaction(store, 'readwrite').objectStore(store).delete(key));
}
