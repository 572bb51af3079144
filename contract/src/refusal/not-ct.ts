/**
 * Refusal 1, "Not a chest CT": photos, documents, drawings and other things that are no windowed CT
 * slice. A fixed rule on four measurements of the decoded pixels (refusal/features.ts); it knows
 * nothing of any model or its training data, so it cannot be fooled by a model's blind spots, and
 * it says which check failed and by how much.
 *
 * How the thresholds were chosen (training/src/refusal/sets.ts, `npm run measure:not-ct`): on
 * TUNING images only (chest-ct train+valid, the even half of iq-othnccd, 112 photos and test images
 * from Debian's python3-skimage and opencv-doc), each threshold sits just outside the range of
 * ~98–99% of the tuning CT slices of each source. Test figures are on other images (README).
 */
import type { DecodedPixels } from '../preprocess';
import { sliceFeatures, type SliceFeatures } from './features';

export const NOT_CT_RULES = {
  /** CT tuning slices have at most 0.3% coloured pixels; a colour photo tens of percent. */
  maxColourFraction: 0.01,
  /** A CT window clips air to black (and/or dense tissue to white): CT tuning slices ≥ 2% clipped in 98%. */
  minClippedFraction: 0.02,
  /** …but never everything: iq-othnccd's darkest slices keep 3% mid-grey; line art and silhouettes less. */
  minMidFraction: 0.02,
  /** A white page or drawing: CT tuning slices are at most 39% white. */
  maxWhiteFraction: 0.5,
  /** Axial body slices mirror left-right: ≥ 0.25 in 98.5% of CT tuning slices; textures and scenes are lower. */
  minSymmetry: 0.25,
} as const;

export type ChestCtCheck = { ok: true; features: SliceFeatures } | { ok: false; features: SliceFeatures; reason: string };

const pct = (v: number): string => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`;

/** The first failed check, in order of how plainly it names the problem; null when all pass. */
export function notCtReason(f: SliceFeatures, rules = NOT_CT_RULES): string | null {
  const clipped = f.blackFraction + f.whiteFraction;
  if (f.colourFraction > rules.maxColourFraction)
    return `colour image: ${pct(f.colourFraction)} of pixels are coloured (a CT slice is grey: at most ${pct(rules.maxColourFraction)})`;
  if (f.whiteFraction > rules.maxWhiteFraction)
    return `mostly white, like a document or drawing: ${pct(f.whiteFraction)} of pixels are white (a CT slice: at most ${pct(rules.maxWhiteFraction)})`;
  if (1 - clipped < rules.minMidFraction)
    return `black-and-white graphic: only ${pct(1 - clipped)} of pixels are mid-grey (a CT slice: at least ${pct(rules.minMidFraction)})`;
  if (clipped < rules.minClippedFraction)
    return `no black air or white tissue as a CT window leaves them: ${pct(clipped)} of pixels are black or white (a CT slice: at least ${pct(rules.minClippedFraction)})`;
  if (f.symmetry < rules.minSymmetry)
    return `not left-right symmetric like an axial body slice: mirror correlation ${f.symmetry.toFixed(2)} (a CT slice: at least ${rules.minSymmetry})`;
  return null;
}

/** Runs the rule on decoded pixels (the same pixels prepareInput gets). */
export function checkChestCt(pixels: DecodedPixels): ChestCtCheck {
  const features = sliceFeatures(pixels);
  const reason = notCtReason(features);
  return reason === null ? { ok: true, features } : { ok: false, features, reason };
}
