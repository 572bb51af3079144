/**
 * Browser image decoding for the worker: createImageBitmap (format support and speed of the
 * browser's own decoders) and an OffscreenCanvas to read the pixels back. No colour management
 * and no premultiplication, so the bytes match what sharp decodes in Node.
 */
import { checkImageSize, type DecodedPixels } from '@respidetect/contract';
import { thrownText } from '@respidetect/contract';
import { FileRefusal } from './file-refusal';
import type { RasterKind } from './sniff';

export async function decodeRaster(name: string, file: Blob, kind: RasterKind): Promise<DecodedPixels> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (e) {
    throw new FileRefusal(`${name}: the ${kind.toUpperCase()} data could not be decoded (damaged or truncated file)`, 'error', {
      code: 'malformed',
      details: thrownText(e),
    });
  }
  try {
    const { width, height } = bitmap;
    // The sniff checked the header; the decoder's own answer is checked again before the canvas
    // and its read-back (two more copies) are allocated, in case a decoder sizes a frame otherwise.
    checkImageSize(name, width, height);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new FileRefusal(`${name}: no 2D canvas available to read the pixels`, 'error', { code: 'internal' });
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { data, width, height, channels: 4 };
  } finally {
    bitmap.close();
  }
}
