/**
 * Finding the patient's body in a grey frame (source-normalise.ts's body crop): the largest bright
 * 8-connected component after an Otsu threshold (floored) and a closing, with its holes filled.
 * Integer arithmetic only, so Node and the browser find the same mask.
 */

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

/** Floor for the body threshold: Otsu on a nearly black frame would otherwise call noise "body". */
export const MIN_BODY_THRESHOLD = 16;
/** A largest component below this fraction of the frame is no body: the frame is kept whole. */
export const MIN_BODY_FRACTION = 0.02;

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
