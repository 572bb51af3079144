/**
 * Generated training images for tests: two (or more) visually distinct classes that a tiny
 * network learns in a few epochs, written as real PNG/JPEG files with sharp. They look enough like
 * a windowed CT slice to pass the not-a-chest-CT rule (contract/src/refusal), as test inputs must.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { rng } from '@respidetect/contract';

export { rng };

/**
 * A CT-like slice, so that the contract's not-a-chest-CT rule accepts it as the real thing would:
 * black air around a grey elliptical body, left-right symmetric. Inside the body, the class:
 * k=0 a mirrored pair of bright discs, k=1 horizontal stripes, k=2 a top-to-bottom gradient, …
 * with noise. The air stays exactly black (a CT window clips it), noise only inside the body.
 */
export function syntheticPixels(classIndex: number, width: number, height: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const ax = width * (0.4 + 0.06 * rand());
  const ay = height * (0.3 + 0.06 * rand());
  const dx = width * (0.14 + 0.08 * rand());
  const cy = height * (0.45 + 0.1 * rand());
  const r = Math.min(width, height) * (0.1 + 0.05 * rand());
  const period = 3 + Math.floor(rand() * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5 - width / 2) / ax;
      const w = (y + 0.5 - height / 2) / ay;
      let v = 0;
      if (u * u + w * w < 1) {
        const xs = Math.abs(x + 0.5 - width / 2);
        if (classIndex % 3 === 0) v = (xs - dx) ** 2 + (y + 0.5 - cy) ** 2 < r * r ? 235 : 110;
        else if (classIndex % 3 === 1) v = Math.floor(y / period) % 2 === 0 ? 200 : 70;
        else v = 50 + (170 * y) / height;
        v = Math.max(20, v + (rand() - 0.5) * 40);
      }
      const i = (y * width + x) * 3;
      out[i] = out[i + 1] = out[i + 2] = Math.min(255, Math.round(v));
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
