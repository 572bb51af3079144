/**
 * One file of an external set → the contract's pixels: raster images through training's sharp
 * decoder, DICOM through the contract's DICOM reader (dcmjs, rescale to Hounsfield units, the lung
 * window), the one the browser's worker uses, so a DICOM slice is windowed exactly as the browser
 * windows it. A multi-frame DICOM gives several slices.
 *
 * What counts as DICOM is the contract's isDicomBytes, the rule the browser's sniffing uses too.
 */
import { decodeDicom, DEFAULT_LUNG_WINDOW, isDicomBytes, type DecodedPixels } from '@respidetect/contract';
import { decodeImage } from '../data/decode';

/** Throws an Error whose message is the reason alone (the caller names the file). */
export async function decodeFile(file: string, bytes: Buffer): Promise<DecodedPixels[]> {
  if (isDicomBytes(bytes)) {
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
