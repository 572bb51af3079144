/**
 * dHash: a 64-bit perceptual hash (grey 9x8 thumbnail, one bit per "left pixel brighter than its
 * right neighbour"). Resized copies and re-encodes of an image land within a few bits of each other.
 * Computed here from packed RGB, not by sharp, so the bits do not shift with libvips versions.
 */

/** 16 hex digits. */
export type DHash = string;

/** Grey area-average thumbnail, W x H floats 0..255. */
function greyThumb(rgb: Uint8Array, width: number, height: number, W: number, H: number): Float64Array {
  const cells = new Float64Array(W * H);
  // Area average over the source pixels whose index maps into each thumbnail cell.
  for (let cy = 0; cy < H; cy++) {
    const y0 = Math.floor((cy * height) / H);
    const y1 = Math.max(y0 + 1, Math.floor(((cy + 1) * height) / H));
    for (let cx = 0; cx < W; cx++) {
      const x0 = Math.floor((cx * width) / W);
      const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * width) / W));
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        let i = (y * width + x0) * 3;
        for (let x = x0; x < x1; x++, i += 3) sum += 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
      }
      cells[cy * W + cx] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return cells;
}

export function dHashRgb(rgb: Uint8Array, width: number, height: number): DHash {
  const W = 9;
  const H = 8;
  const cells = greyThumb(rgb, width, height, W, H);
  let hi = 0;
  let lo = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W - 1; x++) {
      const bit = cells[y * W + x]! > cells[y * W + x + 1]! ? 1 : 0;
      const k = y * (W - 1) + x;
      if (k < 32) hi = (hi << 1) | bit;
      else lo = (lo << 1) | bit;
    }
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

export const THUMB_SIZE = 16;

/**
 * 16x16 grey thumbnail (256 bytes). dHash alone only sees gradients, and on CT slices (a bright
 * ring on black) it puts different patients within a few bits; requiring the thumbnails to agree
 * as well keeps the groups to real copies.
 */
export function thumbRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  return Uint8Array.from(greyThumb(rgb, width, height, THUMB_SIZE, THUMB_SIZE), (v) => Math.round(v));
}

/** Mean absolute difference of two thumbnails, 0..255. */
export function thumbDistance(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** What grouping needs of an image: its dHash and thumbnail. Ingest, the quick path and the browser's adaptation call this. */
export function fingerprintRgb(rgb: Uint8Array, width: number, height: number): { dhash: DHash; thumb: Uint8Array } {
  return { dhash: dHashRgb(rgb, width, height), thumb: thumbRgb(rgb, width, height) };
}
