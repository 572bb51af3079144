/**
 * Image file → DecodedPixels (the contract's input) with sharp. 16-bit and palette images come
 * out as 8-bit RGB(A); greyscale stays one channel and the contract's toRgb expands it.
 */
import sharp from 'sharp';
import type { DecodedPixels } from '../../../src/contract';

export async function decodeImage(input: string | Buffer): Promise<DecodedPixels> {
  // Palette PNGs would otherwise come out as palette indices; 16-bit as 16-bit.
  const { data, info } = await sharp(input, { failOn: 'error', pages: 1 })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels as DecodedPixels['channels'];
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels };
}
