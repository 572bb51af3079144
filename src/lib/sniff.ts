/**
 * What a file really is, from its bytes rather than its name (a renamed PDF is still a PDF),
 * and, for raster images, its dimensions from the header, so oversized images are refused
 * before a decoder allocates memory for them. `sniffBlob` is the entry point: it reads the head
 * and, for JPEG and GIF, walks to the frame header however far into the file it is.
 */
import { FileRefusal } from './file-refusal';
import { gifFrameSize, jpegFrameSize, WindowedBytes } from './raster-frame-size';
import { hasPreamble, imageSizeRefusal, isDicomBytes } from '@respidetect/contract';

export type RasterKind = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
export type FileKind = RasterKind | 'dicom';

export interface Sniffed {
  kind: FileKind;
  /** Known from the header for raster formats; DICOM reports its own. */
  width?: number;
  height?: number;
}

const ascii = (b: Uint8Array, start: number, len: number): string => String.fromCharCode(...b.subarray(start, start + len));

const u32be = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32le = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const i32le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** Formats people drop by mistake, named so the message says what the file is. */
const KNOWN_NON_IMAGES: Array<[string, (b: Uint8Array) => boolean]> = [
  ['a PDF document', (b) => ascii(b, 0, 5) === '%PDF-'],
  ['a TIFF image (TIFF is not supported; export the slice as PNG or DICOM)', (b) => ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*'],
  ['a ZIP archive (unzip it and drop the folder)', (b) => ascii(b, 0, 4) === 'PK\x03\x04'],
  ['a GZIP archive', (b) => b[0] === 0x1f && b[1] === 0x8b],
  ['an HTML page', (b) => /^\s*<(!doctype html|html)/i.test(ascii(b, 0, 64))],
];

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (b.length < 30) return null;
  if (chunk === 'VP8X') return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  // A key frame's start code (9d 01 2a) precedes its size; without it the size bytes mean nothing.
  if (chunk === 'VP8 ') return b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a ? { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff } : null;
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return null;
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return null;
}

/** BMP's size: the OS/2 core header (12 bytes) has 16-bit fields, every later header 32-bit ones. */
function bmpSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 26) return null;
  const headerSize = u32le(b, 14);
  if (headerSize === 12) return { width: u16le(b, 18), height: u16le(b, 20) };
  if (headerSize >= 40) return { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  return null;
}

const malformed = (name: string, what: string, details?: string) =>
  new FileRefusal(`${name}: damaged ${what} (its header cannot be read)`, 'error', { code: 'malformed', ...(details !== undefined ? { details } : {}) });

/**
 * Identifies a file from its first bytes (`head`, at least 64 KiB or the whole file) and its last
 * two bytes (`tail`, for the JPEG end marker). Throws FileRefusal with the reason when the file
 * is empty, not an image we read, truncated, or too large to decode safely. PNG, BMP and WebP
 * declare their size at a fixed offset, checked here; JPEG and GIF may declare it anywhere, so
 * their size is left to sniffBlob (which every reader calls).
 */
export function sniffFile(name: string, size: number, head: Uint8Array, tail: Uint8Array): Sniffed {
  if (size === 0) throw new FileRefusal(`${name}: empty file (0 bytes)`, 'error', { code: 'empty' });
  if (hasPreamble(head)) return { kind: 'dicom' };
  let sniffed: Sniffed | null = null;
  if (head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') {
    // IHDR must be the first chunk (PNG spec 5.6): a size anywhere else is not the one decoded.
    if (head.length < 24 || ascii(head, 12, 4) !== 'IHDR') throw malformed(name, 'PNG', 'the first chunk is not IHDR');
    sniffed = { kind: 'png', width: u32be(head, 16), height: u32be(head, 20) };
  } else if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    if (!(tail.length === 2 && tail[0] === 0xff && tail[1] === 0xd9))
      throw new FileRefusal(`${name}: truncated JPEG (the file ends before its end-of-image marker)`, 'error', { code: 'malformed' });
    sniffed = { kind: 'jpeg' };
  } else if (ascii(head, 0, 4) === 'GIF8') {
    sniffed = { kind: 'gif' };
  } else if (ascii(head, 0, 2) === 'BM' && head.length >= 26) {
    const dims = bmpSize(head);
    if (!dims) throw malformed(name, 'BMP', `unknown info header size ${u32le(head, 14)}`);
    sniffed = { kind: 'bmp', ...dims };
  } else if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    const dims = webpSize(head);
    if (!dims) throw malformed(name, 'WebP', `no VP8/VP8L/VP8X size in the first chunk (${JSON.stringify(ascii(head, 12, 4))})`);
    sniffed = { kind: 'webp', ...dims };
  }
  // DICOM by the contract's rule (training's validate uses it too): Part 10, or a bare data set.
  if (!sniffed && isDicomBytes(head)) return { kind: 'dicom' };
  if (!sniffed) {
    const known = KNOWN_NON_IMAGES.find(([, test]) => test(head));
    const what = known ? `this is ${known[0]}` : 'not a PNG, JPEG, WebP, BMP, GIF or DICOM file';
    throw new FileRefusal(`${name}: unsupported file: ${what}`, 'error', { code: 'unsupported-format' });
  }
  const { width, height } = sniffed;
  if (width !== undefined && height !== undefined) {
    const r = imageSizeRefusal(name, width, height);
    if (r) throw r;
  }
  return sniffed;
}

/**
 * sniffFile on a Blob, with every raster format's size known and checked before any decoder runs:
 * the JPEG segment chain and the GIF block chain are walked to their frame header (bounded), and a
 * JPEG or GIF whose frame header cannot be found is refused as damaged rather than decoded.
 */
export async function sniffBlob(name: string, file: Blob): Promise<Sniffed> {
  const { head, tail } = await readHeadTail(file);
  const sniffed = sniffFile(name, file.size, head, tail);
  if (sniffed.kind !== 'jpeg' && sniffed.kind !== 'gif') return sniffed;
  const src = new WindowedBytes(file, head);
  const size = sniffed.kind === 'jpeg' ? await jpegFrameSize(src) : await gifFrameSize(src);
  if ('problem' in size) throw malformed(name, sniffed.kind.toUpperCase(), size.problem);
  const r = imageSizeRefusal(name, size.width, size.height);
  if (r) throw r;
  return { ...sniffed, ...size };
}

/** Bytes sniffFile needs, read cheaply from a Blob without loading the whole file. */
export async function readHeadTail(file: Blob): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const tail = new Uint8Array(await file.slice(Math.max(0, file.size - 2)).arrayBuffer());
  return { head, tail };
}
