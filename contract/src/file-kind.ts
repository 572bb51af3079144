/**
 * What a file is, from its first bytes rather than its name: the one rule the browser's sniffing
 * (src/lib/sniff.ts) and training (ingest, validate) share, so a file that the app
 * reads as DICOM is DICOM to training's validate too.
 */
import { bareDatasetSyntax, hasPreamble } from './dicom/part10';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'bmp';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v);

/** The raster format announced by the magic bytes, or null when they match none we know. */
export function sniffImageFormat(b: Uint8Array): ImageFormat | null {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(b, [0x42, 0x4d])) return 'bmp';
  return null;
}

/**
 * DICOM: a Part 10 file ("DICM" after the 128-byte preamble), or, when the bytes are no raster
 * image, a bare data set as scanners write them (no preamble, often implicit VR), told by its first
 * element. The name's extension does not matter.
 */
export const isDicomBytes = (b: Uint8Array): boolean => hasPreamble(b) || (sniffImageFormat(b) === null && bareDatasetSyntax(b) !== null);
