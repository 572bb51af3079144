/** Generated test images: smooth random pictures (distinct per seed) encoded by sharp. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { rng } from '@respidetect/contract';

export { rng };

/** 8x8 random colour blocks upscaled to size: far apart in dHash for different seeds, smooth enough to survive re-encoding. */
export function pixels(seed: number, size = 64): Promise<Buffer> {
  const r = rng(seed);
  const small = Buffer.from(Array.from({ length: 8 * 8 * 3 }, () => Math.floor(r() * 256)));
  return sharp(small, { raw: { width: 8, height: 8, channels: 3 } }).resize(size, size, { kernel: 'linear' }).raw().toBuffer();
}

export async function png(seed: number, size = 64): Promise<Buffer> {
  return sharp(await pixels(seed, size), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

export async function jpeg(seed: number, size = 64, quality = 92): Promise<Buffer> {
  return sharp(await pixels(seed, size), { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality }).toBuffer();
}

export function put(root: string, rel: string, data: Uint8Array | string): string {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}
