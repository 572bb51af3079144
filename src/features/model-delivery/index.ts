/**
 * Model delivery: how the browser gets a model it can trust, online or off.
 *
 * Public API (safe in a page, a dedicated Web Worker and a service worker: no DOM):
 *
 *   fetchModelFiles(baseUrl = '/model/', { onProgress, signal }) → VerifiedModelFiles
 *     metadata.json validated with the contract's parseModelMetadata; model.json and every shard
 *     checked against metadata.hashes (sha256, WebCrypto) before first use; byte progress
 *     ({ loadedBytes, totalBytes, file }, total from the weights manifest); retries with backoff,
 *     interrupted shards resume with Range/If-Range. Build the graph with
 *       tf.loadGraphModel(tf.io.fromMemory({ modelTopology, weightSpecs: modelJson.weightsManifest.flatMap(g => g.weights), weightData }))
 *
 *   verifyLocalModelFiles(files) → VerifiedModelFiles   model.json + shards + metadata.json dropped together
 *   checkForModelUpdate(baseUrl) / releaseModelPin(baseUrl)   features/offline's update prompt calls them (wired in src/app)
 *
 *   Errors: NoModelError (nothing deployed, or unreachable with nothing cached),
 *           ModelIntegrityError { file, kind } (hash/schema/manifest problem that could not be repaired:
 *             the contract's ModelFileError, which training and the image bake throw too),
 *           ModelDownloadError { file } (network kept failing).
 *
 * Caching and updates (why it is built this way):
 *   - Shards are content-addressed, so each model id gets its own Cache Storage cache
 *     ("respidetect-model-<id>"), read cache-first. Only bytes that passed sha256 are written, so
 *     a bad download is never cached; a cached copy that goes bad is evicted and fetched again with
 *     cache: 'reload' when online, and is a ModelIntegrityError naming the file when offline.
 *   - The loader, not the service worker, owns these caches: it knows the model id, it verifies
 *     before caching, and it runs the same in the inference worker. Workbox precaches the app shell.
 *   - This origin is pinned to the model it last loaded completely. A new deployment (metadata.json
 *     with another model id, checked network-first by the update prompt) does not replace it until
 *     the user accepts, never mid-batch. Accepting unpins and reloads: the app code (a waiting
 *     service worker is activated first) and the model switch together, and the old model's cache
 *     is deleted once the new one is verified. A stale service worker therefore always runs with
 *     the model it was running with; a model it cannot read (schema version) is refused by
 *     parseModelMetadata rather than run.
 */
export { fetchModelFiles } from './fetch-model';
export type { VerifiedModelFiles, ModelLoadProgress, FetchModelOptions } from './fetch-model';
export { checkForModelUpdate, releaseModelPin } from './updates';
export type { ModelUpdate } from '../../lib/model-update';
export { verifyLocalModelFiles } from './local-files';
export { ModelIntegrityError, NoModelError, ModelDownloadError } from './errors';
export type { ModelJson, WeightsManifestGroup, WeightsManifestEntry } from '@respidetect/contract';
export { modelCacheName } from './model-cache';
