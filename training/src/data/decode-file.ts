/**
 * One input file → the contract's pixels, for validate and ingest alike: raster images through training's sharp
 * decoder, DICOM through the contract's DICOM reader (dcmjs, rescale to Hounsfield units, the lung
 * window), the one the browser's worker uses, so a DICOM slice is windowed exactly as the browser
 * windows it. A multi-frame DICOM gives several slices (validate scores each; ingest, which trains
 * on one image per file, refuses it).
 *
 * What counts as DICOM is the contract's isDicomBytes, the rule the browser's sniffing uses too.
 */
import { asFileRefusal, decodeDicom, DEFAULT_LUNG_WINDOW, isDicomBytes, type DecodedPixels } from '@respidetect/contract';
import { decodeImage } from './decode';

/**
 * Throws a FileRefusal naming `file` (message `${file}: reason`), typed by the reader that refused it:
 * the DICOM reader's and the raster decoder's codes pass through; anything else is 'internal'.
 */
export async function decodeFile(file: string, bytes: Buffer): Promise<DecodedPixels[]> {
  try {
    if (isDicomBytes(bytes)) {
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return decodeDicom(file, ab, DEFAULT_LUNG_WINDOW).slices;
    }
    return [await decodeImage(bytes, file)];
  } catch (err) {
    throw asFileRefusal(file, err);
  }
}
