/**
 * The pixel budget every reader of an image keeps (the app's sniffing and decoding, training's sharp
 * decoding, the source normalisation), so a small hostile file cannot make any of them allocate
 * gigabytes. A decoded frame costs width × height × 4 bytes (more, with canvas and float copies);
 * the source normalisation then pads the body's box to a square, so a thin image's cost is its
 * longest side squared, not its area: a 20000×600 PNG (12 MP) pads to 400 MP. Both are bounded here.
 */
import { FileRefusal } from './file-refusal';

/**
 * One input file, in either runtime (the app's worker before it reads a dropped file; training's walker and
 * reader from stat and fstat): a CT slice is a few MiB, a DICOM series a few hundred.
 */
export const MAX_FILE_BYTES = 512 * 2 ** 20;

/** Most pixels (width × height) of any decoded frame, and of the square the source normalisation pads it to. */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** The longest side whose padded square stays within MAX_IMAGE_PIXELS (6324 px). */
export const MAX_IMAGE_SIDE = Math.floor(Math.sqrt(MAX_IMAGE_PIXELS));

const mp = (px: number): string => `${(px / 1e6).toFixed(0)} MP`;

/**
 * The refusal for an image of these dimensions (from its header or its decoder), or null when it is
 * within the budget: 0 pixels is malformed; more than MAX_IMAGE_PIXELS is 'too-many-pixels'; a longest
 * side past MAX_IMAGE_SIDE is 'aspect-ratio' (its padded square would pass the pixel limit).
 */
export function imageSizeRefusal(name: string, width: number, height: number): FileRefusal | null {
  if (!(width > 0 && height > 0)) return new FileRefusal(`${name}: the image header says ${width}×${height} pixels`, 'error', { code: 'malformed' });
  if (width * height > MAX_IMAGE_PIXELS)
    return new FileRefusal(
      `${name}: image too large: ${width}×${height} pixels (${mp(width * height)}); the limit is ${mp(MAX_IMAGE_PIXELS)}. Downscale it first.`,
      'refused',
      { code: 'too-many-pixels' },
    );
  const side = Math.max(width, height);
  if (side > MAX_IMAGE_SIDE)
    return new FileRefusal(
      `${name}: image too long for the model: ${width}×${height} pixels is padded to a ${side}×${side} square (${mp(side * side)}) before it is resized, past the ${mp(MAX_IMAGE_PIXELS)} limit. Crop it to the slice, or keep its longest side within ${MAX_IMAGE_SIDE} px.`,
      'refused',
      { code: 'aspect-ratio' },
    );
  return null;
}

/** Throws imageSizeRefusal's refusal, if any. */
export function checkImageSize(name: string, width: number, height: number): void {
  const r = imageSizeRefusal(name, width, height);
  if (r) throw r;
}
