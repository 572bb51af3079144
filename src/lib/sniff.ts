/**
 * What a file really is, from its bytes rather than its name (a renamed PDF is still a PDF),
 * and, for raster images, its dimensions from the header, so oversized images are refused
 * before a decoder allocates memory for them.
 */
import { MAX_IMAGE_PIXELS } from '../config/limits';
import { FileRefusal } from './file-refusal';
import { hasPreamble, isDicomBytes } from '@respidetect/contract';

export type RasterKind = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
export type FileKind = RasterKind | 'dicom';

export interface Sniffed {
  kind: FileKind;
  /** Known from the header for raster formats; DICOM reports its own. */
  width?: number;
  height?: number;
}

const ascii = (b: Uint8Array, start: number, len: number): string => String.fromCharCode(...b.subarray(start, start + len));

const u16be = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32be = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const i32le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** Formats people drop by mistake, named so the message says what the file is. */
const KNOWN_NON_IMAGES: Array<[string, (b: Uint8Array) => boolean]> = [
  ['a PDF document', (b) => ascii(b, 0, 5) === '%PDF-'],
  ['a TIFF image (TIFF is not supported; export the slice as PNG or DICOM)', (b) => ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*'],
  ['a ZIP archive (unzip it and drop the folder)', (b) => ascii(b, 0, 4) === 'PK\x03\x04'],
  ['a GZIP archive', (b) => b[0] === 0x1f && b[1] === 0x8b],
  ['an HTML page', (b) => /^\s*<(!doctype html|html)/i.test(ascii(b, 0, 64))],
];

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    i += 2 + u16be(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8 ') return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return null;
}

/**
 * Identifies a file from its first bytes (`head`, at least 64 KiB or the whole file) and its last
 * two bytes (`tail`, for the JPEG end marker). Throws FileRefusal with the reason when the file
 * is empty, not an image we read, truncated, or too large to decode safely.
 */
export function sniffFile(name: string, size: number, head: Uint8Array, tail: Uint8Array): Sniffed {
  if (size === 0) throw new FileRefusal(`${name}: empty file (0 bytes)`);
  if (hasPreamble(head)) return { kind: 'dicom' };
  let sniffed: Sniffed | null = null;
  if (head.length >= 24 && head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') {
    sniffed = { kind: 'png', width: u32be(head, 16), height: u32be(head, 20) };
  } else if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    const dims = jpegSize(head);
    if (!(tail.length === 2 && tail[0] === 0xff && tail[1] === 0xd9))
      throw new FileRefusal(`${name}: truncated JPEG (the file ends before its end-of-image marker)`);
    sniffed = { kind: 'jpeg', ...(dims ?? {}) };
  } else if (ascii(head, 0, 4) === 'GIF8') {
    sniffed = { kind: 'gif', width: u16le(head, 6), height: u16le(head, 8) };
  } else if (ascii(head, 0, 2) === 'BM' && head.length >= 26) {
    sniffed = { kind: 'bmp', width: Math.abs(i32le(head, 18)), height: Math.abs(i32le(head, 22)) };
  } else if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    sniffed = { kind: 'webp', ...(webpSize(head) ?? {}) };
  }
  // DICOM by the contract's rule (training's validate uses it too): Part 10, or a bare data set.
  if (!sniffed && isDicomBytes(head)) return { kind: 'dicom' };
  if (!sniffed) {
    const known = KNOWN_NON_IMAGES.find(([, test]) => test(head));
    const what = known ? `this is ${known[0]}` : 'not a PNG, JPEG, WebP, BMP, GIF or DICOM file';
    throw new FileRefusal(`${name}: unsupported file: ${what}`);
  }
  const { width, height } = sniffed;
  if (width !== undefined && height !== undefined) {
    if (width === 0 || height === 0) throw new FileRefusal(`${name}: the image header says ${width}×${height} pixels`);
    if (width * height > MAX_IMAGE_PIXELS)
      throw new FileRefusal(
        `${name}: image too large: ${width}×${height} pixels (${((width * height) / 1e6).toFixed(0)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP. Downscale it first.`,
        'refused',
      );
  }
  return sniffed;
}

/** Bytes sniffFile needs, read cheaply from a Blob without loading the whole file. */
export async function readHeadTail(file: Blob): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - 2)).arrayBuffer());
  return { head, tail };
}
