/**
 * One file of an external set → the contract's pixels: raster images through training's sharp
 * decoder, DICOM (Part 10, "DICM" after the 128-byte preamble) through the app's own DICOM reader
 * (src/features/dicom: dcmjs, rescale to Hounsfield units, the app's lung window), so a DICOM
 * slice is windowed exactly as the browser windows it. A multi-frame DICOM gives several slices.
 */
import type { DecodedPixels } from '@respidetect/contract';
import { decodeDicom } from '../../../src/features/dicom/decode';
import { DEFAULT_LUNG_WINDOW } from '../../../src/config/limits';
import { decodeImage } from '../data/decode';

const isDicom = (b: Uint8Array): boolean => b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;

/** Throws an Error whose message is the reason alone (the caller names the file). */
export async function decodeFile(file: string, bytes: Buffer): Promise<DecodedPixels[]> {
  if (isDicom(bytes)) {
    try {
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return decodeDicom(file, ab, DEFAULT_LUNG_WINDOW).slices;
    } catch (err) {
      throw new Error((err as Error).message.replace(`${file}: `, ''), { cause: err });
    }
  }
  try {
    return [await decodeImage(bytes, file)];
  } catch (err) {
    const e = err as Error & { reason?: string };
    throw new Error(e.reason ?? e.message, { cause: err });
  }
}
