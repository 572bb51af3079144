import { describe, expect, it } from 'vitest';
import { MetadataError, parseModelMetadata } from './metadata';
import { NO_PREPROCESS, bodyMask, greyOf, normaliseSource, parsePreprocessSpec, type PreprocessSpec, type RgbImage } from './source-normalise';
import { rng } from './util/rng';
import { validMetadata } from '../../testkit/models/metadata-fixture';

const ON: PreprocessSpec = { bodyCrop: true, intensity: 'body-equalize' };

/** A made-up axial slice in HU: air, an elliptical body (soft tissue), two lungs, a spine, with noise. */
function phantomHu(w: number, h: number, seed = 1): Float32Array {
  const r = rng(seed);
  const hu = new Float32Array(w * h).fill(-1000);
  const cx = w / 2;
  const cy = h / 2;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const ex = (x - cx) / (w * 0.42);
      const ey = (y - cy) / (h * 0.32);
      if (ex * ex + ey * ey > 1) continue;
      let v = 40;
      for (const side of [-1, 1]) {
        const lx = (x - (cx + side * w * 0.18)) / (w * 0.13);
        const ly = (y - cy) / (h * 0.22);
        if (lx * lx + ly * ly <= 1) v = -850;
      }
      const sx = (x - cx) / (w * 0.05);
      const sy = (y - (cy + h * 0.2)) / (h * 0.06);
      if (sx * sx + sy * sy <= 1) v = 700;
      hu[y * w + x] = v + (r() - 0.5) * 60;
    }
  return hu;
}

/** HU → 8-bit grey through a window, as a viewer's screenshot would show it. */
function windowed(hu: Float32Array, w: number, h: number, centre: number, width: number): RgbImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = Math.round(Math.min(255, Math.max(0, ((hu[i]! - (centre - width / 2)) / width) * 255)));
    rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
  }
  return { rgb, width: w, height: h };
}

/** Places `img` at (x, y) on a black canvas of another size: letterboxing, another aspect ratio. */
function onCanvas(img: RgbImage, cw: number, ch: number, x: number, y: number): RgbImage {
  const rgb = new Uint8Array(cw * ch * 3);
  for (let row = 0; row < img.height; row++) rgb.set(img.rgb.subarray(row * img.width * 3, (row + 1) * img.width * 3), ((y + row) * cw + x) * 3);
  return { rgb, width: cw, height: ch };
}

function paint(img: RgbImage, x0: number, y0: number, w: number, h: number, v: number): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) img.rgb.fill(v, (y * img.width + x) * 3, (y * img.width + x) * 3 + 3);
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('source normalisation (body crop + body equalisation)', () => {
  it('leaves the frame untouched without a spec, so older models see what they saw', () => {
    const img = windowed(phantomHu(40, 30), 40, 30, -600, 1500);
    const out = normaliseSource(img, NO_PREPROCESS);
    expect(out.rgb).toBe(img.rgb);
    expect([out.width, out.height]).toEqual([40, 30]);
  });

  it('crops to the body: the same slice letterboxed on canvases of other sizes gives identical bytes', () => {
    const slice = windowed(phantomHu(120, 90), 120, 90, -600, 1500);
    const a = normaliseSource(slice, ON);
    const b = normaliseSource(onCanvas(slice, 200, 90, 40, 0), ON); // 801×512-like: wider frame
    const c = normaliseSource(onCanvas(slice, 160, 160, 17, 35), ON); // square, off-centre
    expect(a.width).toBe(a.height);
    expect(b.rgb).toEqual(a.rgb);
    expect(c.rgb).toEqual(a.rgb);
    // The ellipse spans 0.84 × 120 px wide: the square side is the body's width, not the frame's.
    expect(Math.abs(a.width - 0.84 * 120)).toBeLessThanOrEqual(3);
  });

  it('drops burned-in text and the scanner table outside the body, keeps the lungs inside it', () => {
    const slice = windowed(phantomHu(120, 90), 120, 90, 50, 350);
    const framed = onCanvas(slice, 140, 130, 10, 10);
    paint(framed, 2, 2, 20, 5, 255); // a text label in the corner
    paint(framed, 10, 112, 120, 3, 200); // the table, below the body
    const clean = normaliseSource(onCanvas(slice, 140, 130, 10, 10), ON);
    const dirty = normaliseSource(framed, ON);
    expect(dirty.rgb).toEqual(clean.rgb);
    // Lungs (black in this mediastinal window) are inside the filled mask: the mask's box holds them.
    const { mask } = bodyMask(greyOf(slice.rgb, 120 * 90), 120, 90);
    const lungCentre = 45 * 120 + Math.round(60 - 0.18 * 120);
    expect(mask[lungCentre]).toBe(1);
    expect(mask[0]).toBe(0);
  });

  it('brings a lung-window and a mediastinal-window rendering of one slice close together', () => {
    const hu = phantomHu(128, 96, 7);
    const lung = windowed(hu, 128, 96, -600, 1500);
    const mediastinal = windowed(hu, 128, 96, 50, 350);
    const before = meanAbsDiff(lung.rgb, mediastinal.rgb);
    const a = normaliseSource(lung, ON);
    const b = normaliseSource(mediastinal, ON);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    const after = meanAbsDiff(a.rgb, b.rgb);
    // Measured: before ≈ 80 grey levels apart on average; after, a fraction of that.
    expect(before).toBeGreaterThan(50);
    expect(after).toBeLessThan(before / 3);
  });

  it('keeps a frame with no body whole instead of cropping to noise', () => {
    const img: RgbImage = { rgb: new Uint8Array(50 * 40 * 3), width: 50, height: 40 };
    paint(img, 3, 3, 2, 2, 255);
    const out = normaliseSource(img, ON);
    expect(out.box.found).toBe(false);
    expect([out.width, out.height]).toEqual([50, 50]);
  });

  it('names the bad field of a spec, in params and in metadata.json', () => {
    expect(parsePreprocessSpec({ bodyCrop: true, intensity: 'body-equalize' })).toEqual(ON);
    expect(() => parsePreprocessSpec({ bodyCrop: 'yes', intensity: 'none' })).toThrow(/preprocess\.bodyCrop: must be true or false/);
    expect(() => parsePreprocessSpec({ bodyCrop: true, intensity: 'clahe' })).toThrow(/preprocess\.intensity: must be one of none, body-equalize/);
    expect(() => parsePreprocessSpec({ bodyCrop: true, intensity: 'none', crop: 1 })).toThrow(/preprocess\.crop: unknown field/);
  });
});

describe('metadata.json preprocess field', () => {
  const base = validMetadata();
  it('is optional (older models) and validated when present', () => {
    expect(parseModelMetadata(base).preprocess).toBeUndefined();
    expect(parseModelMetadata({ ...base, preprocess: ON }).preprocess).toEqual(ON);
    expect(() => parseModelMetadata({ ...base, preprocess: { bodyCrop: true, intensity: 'x' } })).toThrow(MetadataError);
    expect(() => parseModelMetadata({ ...base, preprocess: { bodyCrop: true, intensity: 'x' } })).toThrow(/field "preprocess\.intensity"/);
  });
});
