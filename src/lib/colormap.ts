/**
 * Viridis: perceptually uniform and readable with the common colour-vision deficiencies, unlike
 * the rainbow "jet" maps heatmaps often use. Stops sampled from matplotlib's table.
 */
const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

/** t in 0..1 → [r, g, b], linearly interpolated between stops; t is clamped. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** A map of any range → RGBA bytes in viridis, min→dark, max→bright (a flat map is all dark). */
export function heatmapRgba(values: readonly number[]): Uint8ClampedArray<ArrayBuffer> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const out = new Uint8ClampedArray(values.length * 4);
  values.forEach((v, i) => {
    const [r, g, b] = viridis((v - lo) / span);
    out.set([r, g, b, 255], i * 4);
  });
  return out;
}
