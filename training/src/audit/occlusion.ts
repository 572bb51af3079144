/**
 * The occlusion check of the shortcut audit: the model's test AUC when the lungs cannot be seen.
 *  - 'centre-masked': the central 60% × 60% of the frame the model receives is blacked out
 *    (after source normalisation that frame is the body, so this hides the lungs and mediastinum);
 *  - 'border-only': only the outer 10% band is kept, everything inside it is black.
 * A model that still separates the classes from either has learnt something other than the
 * anatomy a reader would look at (borders, body outline, text, scanner): the card says so.
 */
import { bootstrapAucCi, calibratedProbabilities, rocAuc, type RgbImage } from '@respidetect/contract';

export type Occlusion = 'centre-masked' | 'border-only';
export const OCCLUSIONS: readonly Occlusion[] = ['centre-masked', 'border-only'];

const CENTRE = 0.6;
const BAND = 0.1;

export function occlude(img: RgbImage, kind: Occlusion): RgbImage {
  const { width: w, height: h } = img;
  const rgb = Uint8Array.from(img.rgb);
  const hide =
    kind === 'centre-masked'
      ? (x: number, y: number) => Math.abs(x + 0.5 - w / 2) < (CENTRE * w) / 2 && Math.abs(y + 0.5 - h / 2) < (CENTRE * h) / 2
      : (x: number, y: number) => x >= BAND * w && x < (1 - BAND) * w && y >= BAND * h && y < (1 - BAND) * h;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (hide(x, y)) rgb.fill(0, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return { rgb, width: w, height: h };
}

export interface OcclusionFigure {
  n: number;
  /** Test AUC of the positive class vs the rest on the occluded images; null when a class is missing. */
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
}

/** AUC with a bootstrap CI for each occlusion the train stage predicted (ranks need no calibration). */
export function occlusionFigures(
  occlusion: Partial<Record<Occlusion, { labels: number[]; logits: number[][] }>> | undefined,
  positiveClass: number,
  bootstrap: number,
  seed: number,
): Partial<Record<Occlusion, OcclusionFigure>> {
  const out: Partial<Record<Occlusion, OcclusionFigure>> = {};
  for (const kind of OCCLUSIONS) {
    const p = occlusion?.[kind];
    if (!p) continue;
    const scores = p.logits.map((l) => calibratedProbabilities(l, 1)[positiveClass]!);
    const positive = p.labels.map((y) => y === positiveClass);
    if (!positive.some(Boolean) || positive.every(Boolean)) {
      out[kind] = { n: scores.length, rocAuc: null, rocAucCi95: null };
      continue;
    }
    const ci = bootstrapAucCi(scores, positive, bootstrap, seed);
    out[kind] = { n: scores.length, rocAuc: rocAuc(scores, positive), rocAucCi95: [ci.low, ci.high] };
  }
  return out;
}
