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

/** What a model was trained with; recorded in metadata.json (`preprocess`) and replayed by every reader. */
export interface PreprocessSpec {
  /** Crop to the body mask's box, black outside the mask, pad to a square. */
  bodyCrop: boolean;
  /** 'none': grey levels as decoded. 'body-equalize': histogram equalisation over the body mask. */
  intensity: 'none' | 'body-equalize';
}

/** Models exported before preprocessing existed: the frame as decoded. */
export const NO_PREPROCESS: PreprocessSpec = Object.freeze({ bodyCrop: false, intensity: 'none' });

export const INTENSITY_MODES = ['none', 'body-equalize'] as const;

/** Floor for the body threshold: Otsu on a nearly black frame would otherwise call noise "body". */
export const MIN_BODY_THRESHOLD = 16;
/** A largest component below this fraction of the frame is no body: the frame is kept whole. */
export const MIN_BODY_FRACTION = 0.02;

export class PreprocessSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PreprocessSpecError';
  }
}

/** Validates a spec from params.yaml or metadata.json; `where` prefixes the field in errors. */
export function parsePreprocessSpec(value: unknown, where = 'preprocess'): PreprocessSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PreprocessSpecError(where, 'must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v))
    if (key !== 'bodyCrop' && key !== 'intensity') throw new PreprocessSpecError(`${where}.${key}`, 'unknown field (known: bodyCrop, intensity)');
  if (typeof v.bodyCrop !== 'boolean') throw new PreprocessSpecError(`${where}.bodyCrop`, `must be true or false, got ${JSON.stringify(v.bodyCrop)}`);
  if (!INTENSITY_MODES.includes(v.intensity as PreprocessSpec['intensity']))
    throw new PreprocessSpecError(`${where}.intensity`, `must be one of ${INTENSITY_MODES.join(', ')}, got ${JSON.stringify(v.intensity)}`);
  return { bodyCrop: v.bodyCrop, intensity: v.intensity as PreprocessSpec['intensity'] };
}

/** A short stable name, for cache keys and reports. */
export function preprocessKey(spec: PreprocessSpec): string {
  return spec.bodyCrop || spec.intensity !== 'none' ? `crop=${spec.bodyCrop ? 1 : 0},int=${spec.intensity}` : 'none';
}

export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Where the body was found, for display and tests. `found: false` means the frame was kept whole. */
export interface BodyBox {
  found: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  threshold: number;
}

/** Integer luma (Rec. 601); exact for grey pixels, where r = g = b. */
export function greyOf(rgb: Uint8Array, n: number): Uint8Array {
  const grey = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rgb[i * 3]!;
    const g = rgb[i * 3 + 1]!;
    const b = rgb[i * 3 + 2]!;
    grey[i] = r === g && g === b ? r : Math.floor((r * 299 + g * 587 + b * 114 + 500) / 1000);
  }
  return grey;
}

/** Otsu's threshold of a 256-bin histogram: pixels > t are foreground. */
export function otsuThreshold(grey: Uint8Array): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < grey.length; i++) hist[grey[i]!]!++;
  const total = grey.length;
  let sumAll = 0;
  for (let t = 0; t < 256; t++) sumAll += t * hist[t]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let bestVar = -1;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > bestVar) {
      bestVar = between;
      best = t;
    }
  }
  return best;
}

/** Closing radius as a fraction of the frame's longer side; see bodyMask. */
export const BODY_CLOSING_FRACTION = 0.02;

/** Binary dilation by a (2r+1)² square, separably: a running count along rows, then columns. */
function dilate(src: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const rows = new Uint8Array(src.length);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let count = 0;
    for (let x = 0; x < Math.min(r, width); x++) count += src[o + x]!;
    for (let x = 0; x < width; x++) {
      if (x + r < width) count += src[o + x + r]!;
      if (x - r - 1 >= 0) count -= src[o + x - r - 1]!;
      rows[o + x] = count > 0 ? 1 : 0;
    }
  }
  const out = new Uint8Array(src.length);
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(r, height); y++) count += rows[y * width + x]!;
    for (let y = 0; y < height; y++) {
      if (y + r < height) count += rows[(y + r) * width + x]!;
      if (y - r - 1 >= 0) count -= rows[(y - r - 1) * width + x]!;
      out[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Morphological closing (dilate, then erode = dilate the complement), so nearby bright parts join. */
function close(src: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const grown = dilate(src, width, height, r);
  for (let i = 0; i < grown.length; i++) grown[i] = 1 - grown[i]!;
  const shrunk = dilate(grown, width, height, r);
  for (let i = 0; i < shrunk.length; i++) shrunk[i] = 1 - shrunk[i]!;
  return shrunk;
}

/**
 * The body mask: pixels brighter than the threshold, closed (so that ribs, spine and mediastinum
 * join into one body even where a high window renders soft tissue black, as in the second CT set),
 * then the largest 8-connected component with its holes filled (background = what 4-connects to
 * the frame's edge without crossing the component). Small things apart from the body — text, the
 * table when it does not touch — fall outside.
 */
export function bodyMask(grey: Uint8Array, width: number, height: number): { mask: Uint8Array; box: BodyBox } {
  const n = width * height;
  const threshold = Math.max(MIN_BODY_THRESHOLD, otsuThreshold(grey));
  const bright = new Uint8Array(n);
  for (let i = 0; i < n; i++) bright[i] = grey[i]! > threshold ? 1 : 0;
  const fg = close(bright, width, height, Math.max(1, Math.round(BODY_CLOSING_FRACTION * Math.max(width, height))));
  const label = new Int32Array(n);
  const stack = new Int32Array(n);
  let bestLabel = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || fg[start] === 0) continue;
    next++;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    while (top > 0) {
      const p = stack[--top]!;
      size++;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const y = py + dy;
        if (y < 0 || y >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          if (x < 0 || x >= width) continue;
          const q = y * width + x;
          if (label[q] === 0 && fg[q] === 1) {
            label[q] = next;
            stack[top++] = q;
          }
        }
      }
    }
    if (size > bestSize) {
      bestSize = size;
      bestLabel = next;
    }
  }
  const mask = new Uint8Array(n);
  if (bestSize < MIN_BODY_FRACTION * n) {
    mask.fill(1);
    return { mask, box: { found: false, x: 0, y: 0, width, height, threshold } };
  }
  // Outside = reachable from the edge through non-body pixels (4-connected); the rest is the body.
  const outside = new Uint8Array(n);
  let top = 0;
  const seed = (p: number) => {
    if (outside[p] === 0 && label[p] !== bestLabel) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (top > 0) {
    const p = stack[--top]!;
    const px = p % width;
    if (px > 0) seed(p - 1);
    if (px < width - 1) seed(p + 1);
    if (p >= width) seed(p - width);
    if (p < n - width) seed(p + width);
  }
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let p = 0; p < n; p++) {
    if (outside[p] === 1) continue;
    mask[p] = 1;
    const x = p % width;
    const y = (p - x) / width;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { mask, box: { found: true, x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, threshold } };
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
 */
export function normaliseSource(img: RgbImage, spec: PreprocessSpec): NormalisedSource {
  const { width, height } = img;
  const n = width * height;
  if (img.rgb.length !== n * 3) throw new Error(`normaliseSource: ${img.rgb.length} bytes do not fit ${width}x${height}x3`);
  if (!spec.bodyCrop && spec.intensity === 'none') return { ...img, box: { found: false, x: 0, y: 0, width, height, threshold: 0 } };
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
