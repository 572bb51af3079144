/**
 * Frozen-base feature extraction, cached and parallel.
 *
 *   const feats = await extractFeatures({
 *     items: [{ sha256, load: () => readPrepared(preparedDir, sha256) }, …],
 *     baseDir: 'artifacts/base',   // prepare-base's output; its base.json gives weights hash + size
 *     views: params.train.augment ? params.train.augment_views : 0,   // augmented views per image
 *     workers: params.train.workers,  // default os.availableParallelism()
 *     cacheDir,                      // default .cache/features (env RESPIDETECT_FEATURES_DIR)
 *   });
 *   feats.shape            // [size/32, size/32, 512] per view
 *   feats.get(sha, view)   // Float32Array, view 0 = original, 1..views = augmented
 *   feats.embedding(sha, view)   // Float32Array(512): block5 features averaged over space (OOD stats)
 *   feats.failed           // [{ sha256, error }]: images that could not be loaded or computed
 *
 * `upTo: 'block4_pool'` takes the features from that layer instead ([size/16, size/16, 512]): the
 * frozen part when block5 is fine-tuned. The layer is part of the cache key.
 *
 * Each image's views are computed together in one worker; every view lands in a content-addressed
 * cache file keyed by (image sha256, weights hash, input size, view), so a rerun — or a different
 * head — only reads files. One bad image fails alone and is reported in `failed`.
 */
import { availableParallelism } from 'node:os';
import { type DecodedPixels, normaliseSource, preprocessKey, toRgb, type PreprocessSpec } from '@respidetect/contract';
import { occlude, type Occlusion } from '../audit/occlusion';
import { readBaseInfo } from '../model/base-artifact';
import { progress } from '../util/progress';
import { FeatureCache, featureKey, featuresCacheDir } from './cache';
import { pooledEmbedding } from './compute';
import { FeatureWorkerPool } from './pool';
import { splitKey, splitShape } from './split';

export interface FeatureItem {
  sha256: string;
  load: () => Promise<DecodedPixels>;
}

export interface ExtractOptions {
  items: FeatureItem[];
  baseDir: string;
  /** Augmented views per image, besides the original (view 0). */
  views: number;
  workers?: number;
  cacheDir?: string;
  /** Progress label. */
  label?: string;
  /** Take features from this base layer (a split point such as block4_pool); default: the base's output. */
  upTo?: string;
  /** Source normalisation applied before augmentation and the resize; part of the cache key. */
  preprocess: PreprocessSpec;
  /** The shortcut audit's occlusion, applied after the normalisation (audit/occlusion.ts); part of the cache key. */
  occlusion?: Occlusion;
}

export interface Features {
  shape: number[];
  views: number;
  weightsHash: string;
  imageSize: number;
  get(sha256: string, view?: number): Float32Array;
  embedding(sha256: string, view?: number): Float32Array;
  failed: { sha256: string; error: string }[];
  computed: number;
  cached: number;
}

export async function extractFeatures(opts: ExtractOptions): Promise<Features> {
  const info = readBaseInfo(opts.baseDir);
  const shape = splitShape(info, opts.upTo);
  const layer = splitKey(info, opts.upTo);
  const length = shape.reduce((a, b) => a * b, 1);
  const channels = shape[shape.length - 1]!;
  const cache = new FeatureCache(opts.cacheDir ?? featuresCacheDir(), length);
  const allViews = Array.from({ length: opts.views + 1 }, (_, v) => v);
  const pre = preprocessKey(opts.preprocess) + (opts.occlusion ? `,occ=${opts.occlusion}` : '');
  const key = (sha256: string, view: number) => featureKey({ imageSha256: sha256, weightsHash: info.weightsSha256, imageSize: info.imageSize, view, layer, preprocess: pre });

  const unique = [...new Map(opts.items.map((i) => [i.sha256, i])).values()];
  const todo = unique.map((item) => ({ item, views: allViews.filter((v) => !cache.has(key(item.sha256, v))) })).filter((t) => t.views.length > 0);
  const failed: Features['failed'] = [];
  let computed = 0;
  const cached = unique.length * allViews.length - todo.reduce((n, t) => n + t.views.length, 0);

  if (todo.length > 0) {
    const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), todo.length));
    const bar = progress(opts.label ?? `features ${info.imageSize}px ×${allViews.length} views (${workers} workers)`, todo.length, 'images');
    const pool = await FeatureWorkerPool.start(opts.baseDir, workers, layer);
    try {
      // Load at most one image ahead per worker, so pixels never pile up in memory.
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          const { item, views } = todo[next++]!;
          try {
            const pixels = await item.load();
            const norm = normaliseSource({ rgb: toRgb(pixels), width: pixels.width, height: pixels.height }, opts.preprocess);
            const img = opts.occlusion ? occlude(norm, opts.occlusion) : norm;
            const feats = await pool.run({ sha256: item.sha256, rgb: img.rgb, width: img.width, height: img.height, views });
            views.forEach((v, i) => cache.write(key(item.sha256, v), feats[i]!));
            computed += views.length;
          } catch (err) {
            failed.push({ sha256: item.sha256, error: err instanceof Error ? err.message : String(err) });
          }
          bar.tick(1);
        }
      };
      await Promise.all(Array.from({ length: workers }, lane));
      bar.done(failed.length ? `${failed.length} failed` : '');
    } finally {
      await pool.close();
    }
  }

  const failedSet = new Set(failed.map((f) => f.sha256));
  const get = (sha256: string, view = 0): Float32Array => {
    if (failedSet.has(sha256)) throw new Error(`features for image ${sha256} failed: ${failed.find((f) => f.sha256 === sha256)!.error}`);
    if (view < 0 || view > opts.views) throw new Error(`view ${view} out of range 0..${opts.views}`);
    const f = cache.read(key(sha256, view));
    if (!f) throw new Error(`no features for image ${sha256} view ${view} in ${cache.dir}`);
    return f;
  };
  return {
    shape,
    views: opts.views,
    weightsHash: info.weightsSha256,
    imageSize: info.imageSize,
    get,
    embedding: (sha256, view = 0) => pooledEmbedding(get(sha256, view), channels),
    failed,
    computed,
    cached,
  };
}
