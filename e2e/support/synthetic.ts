/**
 * Generated training images for tests: two (or more) visually distinct classes that a tiny
 * network learns in a few epochs, written as real PNG/JPEG files with sharp.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rng } from '@respidetect/contract';

export { rng };

/** Class k: a bright disc for k=0, horizontal stripes for k=1, a diagonal gradient for k=2, … with noise. */
export function syntheticPixels(classIndex: number, width: number, height: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const cx = width * (0.35 + 0.3 * rand());
  const cy = height * (0.35 + 0.3 * rand());
  const r = Math.min(width, height) * (0.2 + 0.1 * rand());
  const period = 4 + Math.floor(rand() * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v: number;
      if (classIndex % 3 === 0) v = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? 220 : 40;
      else if (classIndex % 3 === 1) v = Math.floor(y / period) % 2 === 0 ? 200 : 60;
      else v = ((x + y) / (width + height)) * 255;
      v += (rand() - 0.5) * 40;
      const i = (y * width + x) * 3;
      out[i] = out[i + 1] = out[i + 2] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}

export interface SyntheticSetOptions {
  classes: string[];
  perClass: number;
  size?: number;
  seed?: number;
}

/** Writes <dir>/<class>/<i>.png (every fifth one as JPEG) and returns the file paths by class. */
export async function writeSyntheticSet(dir: string, opts: SyntheticSetOptions): Promise<Record<string, string[]>> {
  const rand = rng(opts.seed ?? 1);
  const size = opts.size ?? 64;
  const files: Record<string, string[]> = {};
  for (const [k, name] of opts.classes.entries()) {
    mkdirSync(join(dir, name), { recursive: true });
    files[name] = [];
    for (let i = 0; i < opts.perClass; i++) {
      const w = size + Math.floor(rand() * size * 0.5);
      const h = size + Math.floor(rand() * size * 0.5);
      const px = syntheticPixels(k, w, h, rand);
      const img = sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 3 } });
      const file = join(dir, name, i % 5 === 4 ? `${i}.jpg` : `${i}.png`);
      await (i % 5 === 4 ? img.jpeg({ quality: 92 }) : img.png()).toFile(file);
      files[name]!.push(file);
    }
  }
  return files;
}
