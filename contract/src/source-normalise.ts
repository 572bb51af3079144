/**
 * The model contract, part 2b: removing what tells one CT source from another before the model
 * looks. The Kaggle set's classes differ in size, borders, letterboxing and window; the second
 * set's malignant slices are the only non-square ones. A model fed the raw frame learns those
 * cues instead of the lungs (ROC-AUC 1.0 on its own test split, 0.77 on another hospital's).
 *
 * Two steps, both on 8-bit packed RGB at the original resolution, before the one bilinear resize:
 *  - body crop: the largest bright 8-connected component of the grey image (threshold: Otsu,
 *    floored; closed first so that bones and mediastinum join where the window blacks out soft
 *    tissue) is the patient's body; its holes (the lungs, black in a mediastinal window) are
 *    filled; everything outside that mask — borders, letterboxing, the scanner table, burned-in
 *    text — becomes black, and the frame is cropped to the mask's box and padded (centred, black)
 *    to a square, so size and aspect ratio carry nothing;
 *  - body equalisation: the grey levels inside the body mask are histogram-equalised. A lung-window
 *    and a mediastinal-window rendering of one slice differ by a monotone map of grey levels, which
 *    equalisation (a function of rank alone) largely undoes: lungs land dark, soft tissue mid, bone
 *    bright, in both.
 *
 * Integer arithmetic only, no tfjs: Node and the browser produce the same bytes, so the parity of
 * everything after it (the resize and the graph) is what the parity tests already pin.
 */

import { bodyMask, greyOf, type BodyBox } from './body-mask';
import type { PreprocessSpec } from './preprocess-spec';
import { checkImageSize } from './image-limits';

export * from './preprocess-spec';
export * from './body-mask';

export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Histogram equalisation of the masked pixels' grey levels (the classic CDF map, integers only). */
export function equalise(grey: Uint8Array, mask: Uint8Array): Uint8Array {
  const hist = new Uint32Array(256);
  let count = 0;
  for (let i = 0; i < grey.length; i++)
    if (mask[i] === 1) {
      hist[grey[i]!]!++;
      count++;
    }
  const map = new Uint8Array(256);
  let cdf = 0;
  let cdfMin = -1;
  for (let v = 0; v < 256; v++) {
    cdf += hist[v]!;
    if (cdfMin < 0 && cdf > 0) cdfMin = cdf;
    const span = count - cdfMin;
    map[v] = cdf === 0 || span <= 0 ? 0 : Math.floor(((cdf - cdfMin) * 255 + Math.floor(span / 2)) / span);
  }
  const out = new Uint8Array(grey.length);
  for (let i = 0; i < grey.length; i++) out[i] = mask[i] === 1 ? map[grey[i]!]! : 0;
  return out;
}

export interface NormalisedSource extends RgbImage {
  box: BodyBox;
}

/**
 * Packed RGB → packed RGB as the model is to see it under `spec`. With NO_PREPROCESS it returns the
 * input unchanged (same array), so models exported before this step give the same outputs.
 *
 * Bounded: before it allocates anything it refuses (a FileRefusal naming `name`) a frame past the
 * contract's pixel budget, or one whose longest side would pad to a square past it ('aspect-ratio'),
 * so the padded square and every buffer here stay within MAX_IMAGE_PIXELS whoever calls it.
 */
export function normaliseSource(img: RgbImage, spec: PreprocessSpec, name = 'image'): NormalisedSource {
  const { width, height } = img;
  const n = width * height;
  if (img.rgb.length !== n * 3) throw new Error(`normaliseSource: ${img.rgb.length} bytes do not fit ${width}x${height}x3`);
  if (!spec.bodyCrop && spec.intensity === 'none') return { ...img, box: { found: false, x: 0, y: 0, width, height, threshold: 0 } };
  checkImageSize(name, width, height);
  const grey = greyOf(img.rgb, n);
  const { mask, box } = bodyMask(grey, width, height);
  const levels = spec.intensity === 'body-equalize' ? equalise(grey, mask) : grey;
  if (!spec.bodyCrop) {
    // Equalisation alone keeps the frame; the mask still decides which pixels set the histogram.
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = levels[i]!;
    return { rgb, width, height, box };
  }
  const side = Math.max(box.width, box.height);
  const offX = Math.floor((side - box.width) / 2);
  const offY = Math.floor((side - box.height) / 2);
  const rgb = new Uint8Array(side * side * 3);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const p = (box.y + y) * width + (box.x + x);
      const v = mask[p] === 1 ? levels[p]! : 0;
      const o = ((offY + y) * side + offX + x) * 3;
      rgb[o] = rgb[o + 1] = rgb[o + 2] = v;
    }
  }
  return { rgb, width: side, height: side, box };
}
