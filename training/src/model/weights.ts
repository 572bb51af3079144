/**
 * `model.weights` → a VGG16 base with those weights, plus the weights' identity (a hash that is
 * part of every feature-cache key, so features never outlive the weights that made them).
 *   imagenet  Keras' notop file, downloaded once (md5-checked) into the weights cache
 *   none      random initialisation, seeded; its identity is `none-<seed>`
 *   <path>    a local Keras .h5
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { downloadFile } from '../util/download';
import { hashFile } from '../util/hash';
import { loadKerasH5Weights } from './h5-weights';
import { buildVgg16Base } from './vgg16';
import { env } from '../config/env';

/** Where and what Keras itself downloads for `VGG16(weights='imagenet', include_top=False)`. */
export const IMAGENET_NOTOP = {
  url: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
  file: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
  md5: '6d6bbae143d832006294945121d1f1fc',
} as const;

/** RESPIDETECT_WEIGHTS_DIR overrides the default `.cache/weights` (relative to the working directory). */
export function weightsCacheDir(): string {
  return resolve(env.weightsDir() ?? '.cache/weights');
}

export interface ResolvedWeights {
  /** What params said: 'imagenet', 'none', or the path as given. */
  spec: string;
  kind: 'imagenet' | 'none' | 'file';
  /** The .h5 to load; absent for 'none'. */
  path?: string;
  /** sha256 of the .h5, or `none-<seed>`. */
  hash: string;
}

export interface ResolveOptions {
  /** Seed for 'none'. */
  seed?: number;
  cacheDir?: string;
  /** Overrides for tests and mirrors; default IMAGENET_NOTOP. */
  source?: { url: string; md5: string };
}

export async function resolveWeights(spec: string, opts: ResolveOptions = {}): Promise<ResolvedWeights> {
  if (spec === 'none') return { spec, kind: 'none', hash: `none-${opts.seed ?? 0}` };
  if (spec === 'imagenet') {
    const source = opts.source ?? IMAGENET_NOTOP;
    const dest = join(opts.cacheDir ?? weightsCacheDir(), IMAGENET_NOTOP.file);
    try {
      const { path, sha256 } = await downloadFile({ url: source.url, dest, md5: source.md5, label: 'VGG16 ImageNet weights', retries: 2 });
      return { spec, kind: 'imagenet', path, hash: sha256 };
    } catch (err) {
      throw new Error(
        `could not get the VGG16 ImageNet weights from ${source.url} (${err instanceof Error ? err.message : String(err)}). ` +
          `Place ${IMAGENET_NOTOP.file} (md5 ${source.md5}) at ${dest}, or pass a local copy with --weights <path.h5>, ` +
          `or train without pretrained weights with --weights none.`,
        { cause: err },
      );
    }
  }
  const path = resolve(spec);
  if (!existsSync(path)) throw new Error(`model.weights: "${spec}" is neither imagenet, none, nor an existing file (looked at ${path})`);
  return { spec, kind: 'file', path, hash: await hashFile(path) };
}

/** Builds the base and loads the resolved weights into it. */
export async function buildBase(weights: ResolvedWeights, imageSize: number, seed = 0): Promise<tf.LayersModel> {
  const model = buildVgg16Base({ imageSize, seed });
  if (weights.path) {
    try {
      await loadKerasH5Weights(model, weights.path);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }
  return model;
}
