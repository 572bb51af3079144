/**
 * What the "not a chest CT" rule looks at: a handful of measurements of the decoded pixels that
 * describe what a windowed axial CT slice looks like (grey, clipped black air and/or white tissue,
 * near left-right symmetric), and
 * nothing learnt from any model's training data. Pure arithmetic on the same DecodedPixels both
 * sides have before prepareInput, so the browser and Node measure the same numbers.
 */
import type { DecodedPixels } from '../preprocess';

/** The grid the symmetry runs on: the image averaged down to at most this many cells a side (then to a third). */
export const GRID = 96;
/** A pixel is "coloured" when max(R,G,B) − min(R,G,B) exceeds this (0..255); JPEG noise on grey stays well below. */
export const CHROMA_LEVEL = 40;
/** Grey levels counted as clipped by a CT window: at most CLIP_LOW is black, at least CLIP_HIGH white. */
export const CLIP_LOW = 8;
export const CLIP_HIGH = 247;

export interface SliceFeatures {
  /** Share of pixels whose chroma (max − min of R, G, B) exceeds CHROMA_LEVEL. CT is grey: ~0. */
  colourFraction: number;
  /** Share of pixels at the black end (grey ≤ CLIP_LOW): what a CT window clips air to. */
  blackFraction: number;
  /** Share of pixels at the white end (grey ≥ CLIP_HIGH): what a CT window clips dense tissue and bone to. */
  whiteFraction: number;
  /**
   * Left-right mirror symmetry: Pearson correlation of a coarse grey grid (≈ 32 cells a side) with
   * its mirror image about the vertical line through the grey mass's centroid. Axial slices of a
   * body are near-symmetric; photos, textures and documents mostly are not.
   */
  symmetry: number;
}

/**
 * One pass over the pixels: colour counted per pixel, grey averaged into a grid of at most
 * GRID × GRID cells (averaging, so JPEG noise and text strokes do not decide the shape).
 * Transparent pixels are composited over black, as toRgb does.
 */
function gridAndColour(p: DecodedPixels): { grid: Float64Array; gw: number; gh: number; colourFraction: number; blackFraction: number; whiteFraction: number } {
  const { data, width, height, channels } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`slice features: bad image size ${width}x${height}`);
  if (data.length !== width * height * channels)
    throw new Error(`slice features: ${data.length} bytes do not fit ${width}x${height}x${channels}`);
  const scale = Math.max(width, height) / GRID;
  const gw = Math.max(1, Math.round(width / Math.max(scale, 1)));
  const gh = Math.max(1, Math.round(height / Math.max(scale, 1)));
  const sum = new Float64Array(gw * gh);
  const count = new Float64Array(gw * gh);
  let coloured = 0;
  let black = 0;
  let white = 0;
  for (let y = 0; y < height; y++) {
    const row = Math.min(gh - 1, Math.floor((y * gh) / height)) * gw;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * channels;
      let r: number, g: number, b: number;
      if (channels <= 2) {
        r = g = b = data[s]!;
        if (channels === 2) r = g = b = (r * data[s + 1]!) / 255;
      } else {
        r = data[s]!;
        g = data[s + 1]!;
        b = data[s + 2]!;
        if (channels === 4) {
          const a = data[s + 3]! / 255;
          r *= a;
          g *= a;
          b *= a;
        }
        if (Math.max(r, g, b) - Math.min(r, g, b) > CHROMA_LEVEL) coloured++;
      }
      const cell = row + Math.min(gw - 1, Math.floor((x * gw) / width));
      const grey = (r + g + b) / 3;
      if (grey <= CLIP_LOW) black++;
      else if (grey >= CLIP_HIGH) white++;
      sum[cell]! += grey;
      count[cell]!++;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] = count[i]! > 0 ? sum[i]! / count[i]! : 0;
  const n = width * height;
  return { grid: sum, gw, gh, colourFraction: coloured / n, blackFraction: black / n, whiteFraction: white / n };
}

/** Averages the grid into blocks of `k` × `k` cells: symmetry is a property of the coarse layout, not of detail. */
function coarsen(grid: Float64Array, gw: number, gh: number, k: number): { g: Float64Array; w: number; h: number } {
  const w = Math.max(1, Math.floor(gw / k));
  const h = Math.max(1, Math.floor(gh / k));
  const g = new Float64Array(w * h);
  for (let y = 0; y < h * k; y++) for (let x = 0; x < w * k; x++) g[Math.floor(y / k) * w + Math.floor(x / k)]! += grid[y * gw + x]! / (k * k);
  return { g, w, h };
}

function mirrorSymmetry(grid: Float64Array, gw: number, gh: number): number {
  const { g, w, h } = coarsen(grid, gw, gh, 3);
  let mass = 0;
  let mx = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      mass += g[y * w + x]!;
      mx += g[y * w + x]! * (x + 0.5);
    }
  const axis = mass > 0 ? mx / mass : w / 2;
  const a: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const xm = Math.round(2 * axis - (x + 0.5) - 0.5);
      if (xm < 0 || xm >= w) continue;
      a.push(g[y * w + x]!);
      b.push(g[y * w + xm]!);
    }
  return pearson(a, b);
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

export function sliceFeatures(p: DecodedPixels): SliceFeatures {
  const { grid, gw, gh, colourFraction, blackFraction, whiteFraction } = gridAndColour(p);
  return { colourFraction, blackFraction, whiteFraction, symmetry: mirrorSymmetry(grid, gw, gh) };
}
