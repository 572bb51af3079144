/**
 * Hostile raster files: small on disk, ruinous to decode without limits. Each generator returns the
 * bytes (for unit tests against the sniff) and has a `write…(dir)` twin that puts the file in a folder
 * and returns its path (the e2e's table rows). Every one is a real, well-formed image a browser would
 * decode: the danger is the size it declares, not damage.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * A wide, short "scan": a bright body band across nearly the whole width on black, so the source
 * normalisation's body box is as wide as the frame and its padded square is width × width
 * (20000×600: 12 MP decoded, 400 MP padded). Compresses to a few hundred KiB.
 */
export async function thinPng(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const raw = new Uint8Array(width * height);
  const m = Math.floor(height / 10);
  for (let y = m; y < height - m; y++) {
    const row = raw.subarray(y * width, (y + 1) * width);
    row.fill(170, m, width - m);
    for (let x = m; x < width - m; x += 97) row[x] = 60; // a little structure, so it is not one flat level
  }
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 1 } }).png({ compressionLevel: 9 }).toBuffer());
}

/** The JPEG comment segment (FF FE) with `payload` bytes, the largest one segment can carry being 65533. */
function commentSegment(payload: number): Uint8Array {
  const seg = new Uint8Array(4 + payload).fill(0x20, 4);
  seg.set([0xff, 0xfe, ((payload + 2) >> 8) & 0xff, (payload + 2) & 0xff]);
  return seg;
}

/**
 * A real `side`×`side` JPEG (flat grey: a few hundred KiB at 14000², 196 MP) with a 64 KiB comment
 * segment put just after SOI, so its frame header (SOF) lies past the first 64 KiB: a sniff that reads
 * only the head never sees the size, and the browser decodes it at 196 MP (6.8 GB, ~50 s).
 */
export async function lateSofJpeg(side = 14000): Promise<Uint8Array<ArrayBuffer>> {
  const jpeg = new Uint8Array(
    await sharp({ create: { width: side, height: side, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .jpeg({ quality: 10, chromaSubsampling: '4:2:0' })
      .toBuffer(),
  );
  const com = commentSegment(65533);
  const out = new Uint8Array(jpeg.length + com.length);
  out.set(jpeg.subarray(0, 2));
  out.set(com, 2);
  out.set(jpeg.subarray(2), 2 + com.length);
  return out;
}

/** Finds the offset of the JPEG's frame header (the SOF0..SOF15 marker), for tests that check where it lies. */
export function sofOffset(jpeg: Uint8Array): number {
  let i = 2;
  while (i + 4 <= jpeg.length) {
    const m = jpeg[i + 1]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return i;
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  return -1;
}

const write = (dir: string, name: string, bytes: Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

export const writeThinPng = async (dir: string, width: number, height: number): Promise<string> =>
  write(dir, `thin-${width}x${height}.png`, await thinPng(width, height));

export const writeLateSofJpeg = async (dir: string, side = 14000): Promise<string> => write(dir, `late-sof-${side}.jpg`, await lateSofJpeg(side));
