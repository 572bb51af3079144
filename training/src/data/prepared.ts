/**
 * The prepared pixel cache: decoded images as packed 8-bit RGB at their original size, one file
 * per content sha256, so later stages (and ingest reruns) never decode an image twice.
 *
 * File layout (`images/<sha[0:2]>/<sha>.rgb`), little-endian:
 *   0  "RDPX"            magic
 *   4  u8  version       bumps when decoding changes, which invalidates the cache
 *   5  u8  channels (3)
 *   6  u8  codec         0 raw (zlib made the cache 3x smaller but reads 5x slower; reads are what later stages repeat)
 *   7  u8  reserved
 *   8  u32 width, 12 u32 height
 *   16 char[16] dHash (hex)
 *   32 u8[256] 16x16 grey thumbnail
 *   288 payload
 * The dHash and thumbnail are what de-duplication needs, so a rerun reads the header, not the pixels.
 * Resizing is not done here: the contract's rgbToInput does that, identically in the browser.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DecodedPixels } from '@respidetect/contract';
import { writeFileAtomic } from '../util/atomic';
import { THUMB_SIZE, type DHash } from '@respidetect/contract';

export { loadManifest } from './manifest';

/** Bump when decode.ts or the RGB conversion changes what pixels an image yields. */
export const PREP_VERSION = 3;
const MAGIC = 0x58504452; // "RDPX" read as little-endian u32
const HEADER = 32 + THUMB_SIZE * THUMB_SIZE;

export function preparedImagePath(preparedDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: "${sha256}"`);
  return join(preparedDir, 'images', sha256.slice(0, 2), `${sha256}.rgb`);
}

export interface PreparedHeader {
  width: number;
  height: number;
  dhash: DHash;
  thumb: Uint8Array;
}

function encodeHeader(h: PreparedHeader, codec: 0): Buffer {
  const b = Buffer.alloc(HEADER);
  b.writeUInt32LE(MAGIC, 0);
  b.writeUInt8(PREP_VERSION, 4);
  b.writeUInt8(3, 5);
  b.writeUInt8(codec, 6);
  b.writeUInt32LE(h.width, 8);
  b.writeUInt32LE(h.height, 12);
  b.write(h.dhash, 16, 16, 'latin1');
  b.set(h.thumb, 32);
  return b;
}

function decodeHeader(b: Uint8Array, file: string): PreparedHeader & { codec: number; version: number } {
  if (b.length < HEADER) throw new Error(`${file}: truncated prepared image (${b.length} bytes)`);
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.readUInt32LE(0) !== MAGIC) throw new Error(`${file}: not a prepared image (bad magic)`);
  return {
    version: buf.readUInt8(4),
    codec: buf.readUInt8(6),
    width: buf.readUInt32LE(8),
    height: buf.readUInt32LE(12),
    dhash: buf.toString('latin1', 16, 32),
    thumb: Uint8Array.from(buf.subarray(32, HEADER)),
  };
}

export async function writePrepared(preparedDir: string, sha256: string, rgb: Uint8Array, header: PreparedHeader): Promise<void> {
  if (rgb.length !== header.width * header.height * 3) throw new Error(`writePrepared ${sha256}: ${rgb.length} bytes is not ${header.width}x${header.height}x3`);
  writeFileAtomic(preparedImagePath(preparedDir, sha256), Buffer.concat([encodeHeader(header, 0), rgb]));
}

/**
 * The cached header when a current-version prepared image exists, else null (cache miss). Reads
 * the header only: this is how ingest reruns learn size and dHash without decoding.
 */
export function peekPrepared(preparedDir: string, sha256: string): PreparedHeader | null {
  const file = preparedImagePath(preparedDir, sha256);
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(HEADER);
    const n = readSync(fd, b, 0, HEADER, 0);
    const h = decodeHeader(b.subarray(0, n), file);
    return h.version === PREP_VERSION ? { width: h.width, height: h.height, dhash: h.dhash, thumb: h.thumb } : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Pixels of one prepared image: 8-bit RGB at original resolution, ready for the contract's rgbToInput. */
export async function readPrepared(preparedDir: string, sha256: string): Promise<DecodedPixels> {
  const file = preparedImagePath(preparedDir, sha256);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new Error(`${file}: no prepared image for ${sha256}; run \`respidetect-train ingest\` first`);
  }
  const h = decodeHeader(bytes, file);
  if (h.version !== PREP_VERSION) throw new Error(`${file}: prepared with version ${h.version}, this code expects ${PREP_VERSION}; rerun ingest`);
  if (h.codec !== 0) throw new Error(`${file}: unknown pixel codec ${h.codec}; rerun ingest`);
  const data = bytes.subarray(HEADER);
  if (data.length !== h.width * h.height * 3) throw new Error(`${file}: ${data.length} pixel bytes do not fit ${h.width}x${h.height}x3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: h.width, height: h.height, channels: 3 };
}
