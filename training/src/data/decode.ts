/**
 * Image file → DecodedPixels (the contract's input) with sharp. The format is decided by the
 * file's first bytes, never its name: the real set has JPEGs called `.png`. 16-bit and palette
 * images come out as 8-bit RGB(A); greyscale stays one channel and the contract's toRgb expands it.
 */
import sharp, { type OutputInfo } from 'sharp';
import { FileRefusal, imageSizeRefusal, MAX_IMAGE_PIXELS, sniffImageFormat, type DecodedPixels, type ImageFormat, type RefusalCode } from '@respidetect/contract';

export type { ImageFormat };

/** Formats sharp can decode here (libvips without ImageMagick has no BMP loader). */
export const DECODABLE: ReadonlySet<ImageFormat> = new Set(['png', 'jpeg', 'webp', 'gif', 'tiff']);

/**
/**
 * A file that is not a usable image; `reason` is short and stable enough to group in reports. A
 * typed refusal like every other, so reports carry its `code` (the browser's codes for the same files).
 */
export class DecodeError extends FileRefusal {
  override name = 'DecodeError';
  constructor(
    readonly file: string,
    readonly reason: string,
    code: RefusalCode = 'malformed',
    /** The decoder's own text (libvips), for whoever debugs it; never part of the reason. */
    details?: string,
  ) {
    super(`${file}: ${reason}`, code === 'malformed' || code === 'empty' ? 'error' : 'refused', { code, ...(details !== undefined ? { details } : {}) });
  }
}

/** The contract's pixel-budget refusal for these dimensions as a DecodeError, or null when within it. */
function sizeError(file: string, width: number, height: number): DecodeError | null {
  const r = imageSizeRefusal(file, width, height);
  return r ? new DecodeError(file, r.message.slice(file.length + 2), r.code) : null;
}

/** The image format announced by the magic bytes (the contract's rule, shared with the browser), or null. */
export const sniffFormat = sniffImageFormat;

const EXTENSIONS: Record<ImageFormat, readonly string[]> = {
  png: ['.png'],
  jpeg: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  webp: ['.webp'],
  gif: ['.gif'],
  tiff: ['.tif', '.tiff'],
  bmp: ['.bmp'],
};

/** True when a file name's extension disagrees with its sniffed format (reported, not fatal). */
export function extensionMismatch(name: string, format: ImageFormat): boolean {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot).toLowerCase() : '';
  return !EXTENSIONS[format].includes(ext);
}

const hex = (b: Uint8Array) =>
  Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ');

/** Raises a DecodeError for bytes that cannot be an image we decode, before sharp sees them. */
export function checkDecodable(file: string, bytes: Uint8Array): ImageFormat {
  if (bytes.length === 0) throw new DecodeError(file, 'empty file (0 bytes)', 'empty');
  const format = sniffFormat(bytes);
  if (!format) throw new DecodeError(file, `not an image (unrecognised leading bytes: ${hex(bytes)})`, 'unsupported-format');
  if (!DECODABLE.has(format)) throw new DecodeError(file, `${format.toUpperCase()} images are not supported`, 'unsupported-format');
  return format;
}

/**
 * Decodes bytes (or a path) to 8-bit pixels. With `file` given, failures are DecodeErrors naming
 * it; sharp's own message ("VipsJpeg: premature end of input file") is kept as the reason.
 *
 * Bounded by the contract's pixel budget, as the browser is: sharp refuses an input past
 * MAX_IMAGE_PIXELS from its header (limitInputPixels; its default is 268 MP) before it decodes, and
 * a frame whose padded square would pass it ('aspect-ratio') is refused before the source
 * normalisation pads it.
 */
export async function decodeImage(input: string | Buffer, file = typeof input === 'string' ? input : '<buffer>'): Promise<DecodedPixels> {
  if (Buffer.isBuffer(input)) checkDecodable(file, input);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    // failOn 'warning' rejects truncated files that libvips would otherwise pad with grey.
    decoded = await sharp(input, { failOn: 'warning', pages: 1, limitInputPixels: MAX_IMAGE_PIXELS })
      // Palette PNGs would otherwise come out as palette indices; 16-bit as 16-bit.
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
    if (/pixel limit/i.test(msg)) {
      // Say how large, from the header alone (metadata() decodes nothing).
      const { width = 0, height = 0 } = await sharp(input, { limitInputPixels: false }).metadata().catch(() => ({ width: 0, height: 0 }));
      throw (width > 0 && height > 0 ? sizeError(file, width, height) : null) ?? new DecodeError(file, `image too large: past the ${MAX_IMAGE_PIXELS / 1e6} MP limit`, 'too-many-pixels');
    }
    throw new DecodeError(file, 'cannot decode: the image data is damaged or cut short', 'malformed', msg);
  }
  const { data, info } = decoded;
  const tooBig = sizeError(file, info.width, info.height);
  if (tooBig) throw tooBig;
  const channels = info.channels as DecodedPixels['channels'];
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels };
}
