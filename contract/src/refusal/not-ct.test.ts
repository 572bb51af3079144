import { describe, expect, it } from 'vitest';
import type { DecodedPixels } from '../preprocess';
import { sliceFeatures } from './features';
import { checkChestCt, notCtReason, NOT_CT_RULES } from './not-ct';

const W = 128;
const H = 128;

/** A CT-like slice: black air, a mid-grey elliptical body with two darker lungs and a white spine, symmetric. */
function ctLike(): DecodedPixels {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const dx = (x + 0.5 - W / 2) / (W * 0.42);
      const dy = (y + 0.5 - H / 2) / (H * 0.3);
      let v = 0;
      if (dx * dx + dy * dy < 1) v = 140;
      const lung = (cx: number): boolean => ((x + 0.5 - cx) / (W * 0.15)) ** 2 + ((y + 0.5 - H / 2) / (H * 0.2)) ** 2 < 1;
      if (lung(W * 0.3) || lung(W * 0.7)) v = 60;
      if (Math.abs(x + 0.5 - W / 2) < 6 && y > H * 0.62 && y < H * 0.75) v = 255;
      data[y * W + x] = v;
    }
  return { data, width: W, height: H, channels: 1 };
}

function rgba(fill: (x: number, y: number) => [number, number, number]): DecodedPixels {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [r, g, b] = fill(x, y);
      data.set([r, g, b, 255], (y * W + x) * 4);
    }
  return { data, width: W, height: H, channels: 4 };
}

describe('not-a-chest-CT rule', () => {
  it('accepts a grey, windowed, symmetric body slice', () => {
    const c = checkChestCt(ctLike());
    expect(c.ok).toBe(true);
    expect(c.features.symmetry).toBeGreaterThan(0.95);
    expect(c.features.colourFraction).toBe(0);
  });

  it('the same slice as RGBA (the browser canvas) measures the same', () => {
    const grey = ctLike();
    const asRgba = rgba((x, y) => {
      const v = grey.data[y * W + x]!;
      return [v, v, v];
    });
    expect(sliceFeatures(asRgba)).toEqual(sliceFeatures(grey));
  });

  it('refuses a colour image, saying how colourful it is', () => {
    const c = checkChestCt(rgba((x) => (x < W / 2 ? [200, 30, 30] : [0, 0, 0])));
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toBe('colour image: 50% of pixels are coloured (a CT slice is grey: at most 1.0%)');
  });

  it('refuses a white page, a pure black-and-white drawing, an unclipped grey texture and an asymmetric scene', () => {
    const reason = (p: DecodedPixels): string | null => notCtReason(sliceFeatures(p));
    expect(reason(rgba((x, y) => ((x * y) % 17 === 0 ? [0, 0, 0] : [255, 255, 255])))).toMatch(/^mostly white, like a document or drawing: \d+% of pixels are white/);
    expect(reason(rgba((x) => (x < W * 0.6 ? [0, 0, 0] : [255, 255, 255])))).toMatch(/^black-and-white graphic: only 0\.0% of pixels are mid-grey/);
    expect(reason(rgba((x, y) => [100 + ((x * 7 + y * 13) % 50), 100 + ((x * 7 + y * 13) % 50), 100 + ((x * 7 + y * 13) % 50)]))).toMatch(/^no black air or white tissue/);
    // Dark on the left, mid-grey on the right: clipped pixels, but the mirror image is its negative.
    expect(reason(rgba((x) => (x < W / 3 ? [0, 0, 0] : [90 + x, 90 + x, 90 + x])))).toMatch(/^not left-right symmetric like an axial body slice: mirror correlation -?\d\.\d\d/);
  });

  it('composites transparency over black, as toRgb does', () => {
    const clear = rgba(() => [255, 0, 0]);
    for (let i = 3; i < clear.data.length; i += 4) clear.data[i] = 0;
    expect(sliceFeatures(clear).colourFraction).toBe(0);
    expect(sliceFeatures(clear).blackFraction).toBe(1);
  });

  it('names a broken buffer', () => {
    expect(() => checkChestCt({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 })).toThrow(/5 bytes do not fit 2x2x3/);
  });

  it('thresholds are the documented ones', () => {
    expect(NOT_CT_RULES).toEqual({ maxColourFraction: 0.01, minClippedFraction: 0.02, minMidFraction: 0.02, maxWhiteFraction: 0.5, minSymmetry: 0.25 });
  });
});
