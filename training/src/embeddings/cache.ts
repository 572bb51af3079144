/**
 * Content-addressed feature cache: <dir>/<key>.f32, raw little-endian float32. The key hashes
 * everything the numbers depend on — image bytes, weights, input size, view — and nothing a head
 * parameter touches, so head experiments never recompute features.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic';
import { AUGMENT_VERSION } from './augment';
import { env } from '../config/env';

/** Bump when the extraction itself changes (preprocessing, layout of the files). */
export const FEATURES_VERSION = 1;

export function featuresCacheDir(): string {
  return resolve(env.featuresDir() ?? '.cache/features');
}

export interface KeyParts {
  imageSha256: string;
  weightsHash: string;
  imageSize: number;
  view: number;
  /** The base layer the features come from; absent means the base's output (block5_pool). */
  layer?: string;
  /** preprocessKey() of the source normalisation (plus any audit occlusion); 'none' or absent keeps the original key. */
  preprocess?: string;
}

export function featureKey(k: KeyParts): string {
  const view = k.view === 0 ? 'orig' : `aug${AUGMENT_VERSION}-${k.view}`;
  // The base's own output keeps the original key, so caches written before split points existed stay valid.
  const layer = k.layer === undefined ? '' : `|${k.layer}`;
  const pre = k.preprocess === undefined || k.preprocess === 'none' ? '' : `|pre:${k.preprocess}`;
  return createHash('sha256').update(`features${FEATURES_VERSION}|${k.imageSha256}|${k.weightsHash}|${k.imageSize}|${view}${layer}${pre}`).digest('hex');
}

export class FeatureCache {
  constructor(
    readonly dir: string,
    /** Floats per entry; a file of another length is treated as absent (a torn or stale write). */
    readonly length: number,
  ) {}

  path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  has(key: string): boolean {
    const p = this.path(key);
    return existsSync(p) && readFileSync(p).byteLength === this.length * 4;
  }

  read(key: string): Float32Array | undefined {
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    const buf = readFileSync(p);
    if (buf.byteLength !== this.length * 4) return undefined;
    // Copy into an aligned buffer: Buffer slices may start at any byte offset.
    const out = new Float32Array(this.length);
    new Uint8Array(out.buffer).set(buf);
    return out;
  }

  write(key: string, data: Float32Array): void {
    if (data.length !== this.length) throw new Error(`feature cache: entry has ${data.length} floats, expected ${this.length}`);
    writeFileAtomic(this.path(key), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}
