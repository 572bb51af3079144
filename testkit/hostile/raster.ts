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
 * A real baseline greyscale JPEG of `side`×`side` (flat mid-grey), written by hand rather than by an
 * encoder, so even 14000² (196 MP) costs a fill of 0.75 MB instead of seconds of encoding: with
 * one-code Huffman tables (DC difference 0 = '0', end-of-block = '0') every 8×8 block is 2 zero bits.
 * A 64 KiB comment segment comes first, so its frame header (SOF) lies past the first 64 KiB: a
 * sniff that reads only the head never sees the size, and the browser decodes it at 196 MP (6.8 GB).
 */
export function lateSofJpeg(side = 14000): Uint8Array<ArrayBuffer> {
  const blocks = Math.ceil(side / 8) ** 2;
  const bits = 2 * blocks;
  const scan = new Uint8Array(Math.ceil(bits / 8));
  if (bits % 8) scan[scan.length - 1] = 0xff >> bits % 8; // pad the last byte with 1-bits, as the standard says
  const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
  const oneCodeTable = (tableClass: number) => [0xff, 0xc4, ...u16(2 + 1 + 16 + 1), tableClass << 4, 1, ...new Array<number>(15).fill(0), 0];
  const head = [
    ...[0xff, 0xd8],
    ...commentSegment(65533),
    ...[0xff, 0xdb, ...u16(67), 0x00, ...new Array<number>(64).fill(1)], // DQT: one table of ones
    ...[0xff, 0xc0, ...u16(11), 8, ...u16(side), ...u16(side), 1, 1, 0x11, 0], // SOF0: 8-bit, 1 component
    ...oneCodeTable(0), // DHT: DC, category 0 only
    ...oneCodeTable(1), // DHT: AC, end-of-block only
    ...[0xff, 0xda, ...u16(8), 1, 1, 0x00, 0, 63, 0], // SOS
  ];
  const out = new Uint8Array(head.length + scan.length + 2);
  out.set(head);
  out.set(scan, head.length);
  out.set([0xff, 0xd9], head.length + scan.length);
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

export const writeLateSofJpeg = (dir: string, side = 14000): Promise<string> => Promise.resolve(write(dir, `late-sof-${side}.jpg`, lateSofJpeg(side)));
