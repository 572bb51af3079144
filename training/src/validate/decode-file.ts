/**
 * One file of an external set → the contract's pixels: raster images through training's sharp
 * decoder, DICOM through the contract's DICOM reader (dcmjs, rescale to Hounsfield units, the lung
 * window), the one the browser's worker uses, so a DICOM slice is windowed exactly as the browser
 * windows it. A multi-frame DICOM gives several slices.
 *
 * What counts as DICOM is the browser's rule too (src/features/inference/sniff.ts): a Part 10 file
 * ("DICM" after the 128-byte preamble), or, when the bytes are no raster image, a bare data set as
 * scanners write them (no preamble, often no extension).
 */
import { bareDatasetSyntax, decodeDicom, DEFAULT_LUNG_WINDOW, hasPreamble, type DecodedPixels } from '@respidetect/contract';
import { decodeImage, sniffFormat } from '../data/decode';

const isDicom = (b: Uint8Array): boolean => hasPreamble(b) || (sniffFormat(b) === null && bareDatasetSyntax(b) !== null);

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
