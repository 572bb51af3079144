/**
 * File-level cues: what a classifier can know about an image without looking at its anatomy.
 * In the Kaggle chest CT set the classes come from different sources, so size, aspect ratio,
 * format, borders and overall brightness can give the label away; the shortcut audit measures how
 * far these alone get. Two views: the file as stored, and the frame the model actually receives
 * after the source normalisation (what is left for a model to exploit).
 */
import { statSync } from 'node:fs';
import type { ImageFormat } from '../data/decode';

export const FILE_CUE_NAMES = ['width', 'height', 'aspect', 'log_bytes', 'bytes_per_pixel', 'is_png', 'is_jpeg', 'grey_file'] as const;
export const PIXEL_CUE_NAMES = ['mean', 'std', 'border_mean', 'border_std', 'black_fraction', 'white_fraction', 'colour_fraction'] as const;

/** Width, height, aspect ratio, size on disk and format: known before decoding a single pixel. */
export function fileCues(path: string, format: ImageFormat, width: number, height: number, greyFile: boolean): number[] {
  const bytes = statSync(path).size;
  return [width, height, width / height, Math.log(bytes), bytes / (width * height), format === 'png' ? 1 : 0, format === 'jpeg' ? 1 : 0, greyFile ? 1 : 0];
}

/**
 * Brightness statistics of packed RGB: overall and along the outer border (5% of the shorter
 * side), how much is black (< 10), white (> 245) or coloured (channels differ by more than 10).
 * The border is where letterboxing, rulers and burned-in text live.
 */
export function pixelCues(rgb: Uint8Array, width: number, height: number): number[] {
  const n = width * height;
  const band = Math.max(1, Math.round(0.05 * Math.min(width, height)));
  let sum = 0;
  let sq = 0;
  let bSum = 0;
  let bSq = 0;
  let bN = 0;
  let black = 0;
  let white = 0;
  let colour = 0;
  for (let i = 0; i < n; i++) {
    const r = rgb[i * 3]!;
    const g = rgb[i * 3 + 1]!;
    const b = rgb[i * 3 + 2]!;
    const v = (r + g + b) / 3;
    sum += v;
    sq += v * v;
    if (v < 10) black++;
    if (v > 245) white++;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 10) colour++;
    const x = i % width;
    const y = (i - x) / width;
    if (x < band || y < band || x >= width - band || y >= height - band) {
      bSum += v;
      bSq += v * v;
      bN++;
    }
  }
  const mean = sum / n;
  const bMean = bSum / bN;
  return [mean, Math.sqrt(Math.max(0, sq / n - mean * mean)), bMean, Math.sqrt(Math.max(0, bSq / bN - bMean * bMean)), black / n, white / n, colour / n];
}
