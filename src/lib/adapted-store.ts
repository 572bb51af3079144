/**
 * Adapted models kept in Cache Storage, one cache per model id like a downloaded model
 * (model-delivery/model-cache.ts), under their own prefix: a deployment update removes old
 * downloaded models, never the lab's own adaptations. Available offline and after reloads; using
 * one goes through the worker's verified load-local path, so every sha256 is checked again.
 */
import { parseModelMetadata, type ModelMetadata } from '@respidetect/contract';

const PREFIX = 'respidetect-adapted-';
const urlOf = (modelId: string, name: string) => new URL(`/.respidetect-adapted/${modelId}/${name}`, location.origin).href;
const INDEX = 'index.json';

export interface StoredModelFile {
  name: string;
  bytes: ArrayBuffer;
  type: string;
}

export async function saveAdaptedModel(modelId: string, files: readonly StoredModelFile[]): Promise<void> {
  const cache = await caches.open(PREFIX + modelId);
  for (const f of files) await cache.put(urlOf(modelId, f.name), new Response(f.bytes, { headers: { 'content-type': f.type } }));
  // Written last: its presence means every file is in.
  await cache.put(urlOf(modelId, INDEX), new Response(JSON.stringify(files.map((f) => ({ name: f.name, type: f.type }))), { headers: { 'content-type': 'application/json' } }));
}

export async function loadAdaptedModel(modelId: string): Promise<File[]> {
  const cache = await caches.open(PREFIX + modelId);
  const index = await cache.match(urlOf(modelId, INDEX));
  if (!index) throw new Error(`adapted model ${modelId} is not complete in this browser's storage`);
  const list = (await index.json()) as { name: string; type: string }[];
  return Promise.all(
    list.map(async ({ name, type }) => {
      const res = await cache.match(urlOf(modelId, name));
      if (!res) throw new Error(`adapted model ${modelId}: ${name} is missing from this browser's storage`);
      return new File([await res.arrayBuffer()], name, { type });
    }),
  );
}

/** Every complete adapted model in this browser, newest first. */
export async function listAdaptedModels(): Promise<ModelMetadata[]> {
  if (typeof caches === 'undefined') return [];
  const out: ModelMetadata[] = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX)) continue;
    const id = name.slice(PREFIX.length);
    const cache = await caches.open(name);
    if (!(await cache.match(urlOf(id, INDEX)))) continue;
    const meta = await cache.match(urlOf(id, 'metadata.json'));
    try {
      if (meta) out.push(parseModelMetadata(await meta.json()));
    } catch {
      // A damaged entry is skipped here; using it would fail verification anyway.
    }
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

export async function deleteAdaptedModel(modelId: string): Promise<void> {
  await caches.delete(PREFIX + modelId);
}
