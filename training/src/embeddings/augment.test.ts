import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { augmentRgb, transformMatrix, viewParams } from './augment';

const none = { rotationRad: 0, tx: 0, ty: 0, zoom: 1, flip: false };

describe('augmented views', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('are seeded by (image, view): the same twice, different across views and images; view 0 is the original', () => {
    expect(viewParams('a'.repeat(64), 0)).toBeNull();
    expect(viewParams('a'.repeat(64), 1)).toEqual(viewParams('a'.repeat(64), 1));
    expect(viewParams('a'.repeat(64), 1)).not.toEqual(viewParams('a'.repeat(64), 2));
    expect(viewParams('a'.repeat(64), 1)).not.toEqual(viewParams('b'.repeat(64), 1));
    for (let v = 1; v <= 50; v++) {
      const p = viewParams('c'.repeat(64), v)!;
      expect(Math.abs(p.rotationRad)).toBeLessThanOrEqual((15 * Math.PI) / 180);
      expect(Math.abs(p.tx)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(p.zoom - 1)).toBeLessThanOrEqual(0.1);
    }
  });

  it('warp pixels as stated: identity, mirror, shift and a quarter turn', () => {
    const w = 5;
    const h = 4;
    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 7) % 251);
    const at = (img: Uint8Array, x: number, y: number) => Array.from(img.slice((y * w + x) * 3, (y * w + x) * 3 + 3));
    expect(augmentRgb(tf, rgb, w, h, none)).toEqual(rgb);
    const mirrored = augmentRgb(tf, rgb, w, h, { ...none, flip: true });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(at(mirrored, x, y)).toEqual(at(rgb, w - 1 - x, y));
    // A shift of one pixel to the right samples x+1 (fill 'nearest' repeats the last column).
    const shifted = augmentRgb(tf, rgb, w, h, { ...none, tx: 1 / w });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(at(shifted, x, y)).toEqual(at(rgb, Math.min(x + 1, w - 1), y));
    // 90° on a square image: output (x, y) reads input (cx - (y - cy), cy + (x - cx)).
    const s = 5;
    const sq = new Uint8Array(s * s * 3).map((_, i) => (i * 13) % 253);
    const turned = augmentRgb(tf, sq, s, s, { ...none, rotationRad: Math.PI / 2 });
    const m = transformMatrix({ ...none, rotationRad: Math.PI / 2 }, s, s);
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++) {
        const ix = Math.round(m[0]! * x + m[1]! * y + m[2]!);
        const iy = Math.round(m[3]! * x + m[4]! * y + m[5]!);
        expect([ix, iy]).toEqual([2 - (y - 2), 2 + (x - 2)]);
        expect(Array.from(turned.slice((y * s + x) * 3, (y * s + x) * 3 + 3))).toEqual(Array.from(sq.slice((iy * s + ix) * 3, (iy * s + ix) * 3 + 3)));
      }
  });
});
