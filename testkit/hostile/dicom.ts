/**
 * Hostile DICOM files, small on disk, each built to take a reader down in its own way (issue #28):
 * a deflate bomb, tens of thousands of tiny frames, sequences nested 10,000 deep, a Rows of "2.5".
 * Built by hand from PS3.5 (explicit VR little endian, deflated where the name says so), so they do
 * not depend on a writer that would refuse to write them. The unit tests, the fuzz corpus and the
 * Chromium e2e (a row = { name, make(dir) → path, code, reason }) all use these.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync } from 'node:zlib';
import type { RefusalCode } from '@respidetect/contract';
import { dataset, text, uid, us, type El } from '../dicom/scanner-dicom';
import { concat } from '../bytes';

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);


/** A Part 10 file: preamble, "DICM", the meta group (with its group length) naming `syntax`, then `body` as given. */
export function part10(syntax: string, body: Uint8Array): Uint8Array {
  const meta = dataset(
    [
      [0x0002, 0x0001, 'OB', new Uint8Array([0, 1])],
      [0x0002, 0x0002, 'UI', uid('1.2.840.10008.5.1.4.1.1.2')],
      [0x0002, 0x0003, 'UI', uid('1.2.826.0.1.3680043.8.498.28.1')],
      [0x0002, 0x0010, 'UI', uid(syntax)],
      [0x0002, 0x0012, 'UI', uid('1.2.826.0.1.3680043.10.1.1')],
    ],
    true,
  );
  const groupLength = dataset([[0x0002, 0x0000, 'UL', u32(meta.length)]], true);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, groupLength, meta, body]);
}

/** The elements of a CT image header (explicit VR), without PixelData. */
export function ctHeader(opts: { rows: number | string; cols: number; frames?: number }): El[] {
  return [
    [0x0008, 0x0016, 'UI', uid('1.2.840.10008.5.1.4.1.1.2')],
    [0x0008, 0x0018, 'UI', uid('1.2.826.0.1.3680043.8.498.28.1')],
    [0x0008, 0x0060, 'CS', text('CT')],
    [0x0020, 0x000e, 'UI', uid('1.2.826.0.1.3680043.8.498.28')],
    [0x0028, 0x0002, 'US', us(1)],
    [0x0028, 0x0004, 'CS', text('MONOCHROME2')],
    ...(opts.frames !== undefined ? ([[0x0028, 0x0008, 'IS', text(String(opts.frames))]] as El[]) : []),
    // A Rows that is not a US (the DS Rows "2.5" case) is written with the VR its value needs.
    typeof opts.rows === 'string' ? [0x0028, 0x0010, 'DS', text(opts.rows)] : [0x0028, 0x0010, 'US', us(opts.rows)],
    [0x0028, 0x0011, 'US', us(opts.cols)],
    [0x0028, 0x0100, 'US', us(16)],
    [0x0028, 0x0101, 'US', us(16)],
    [0x0028, 0x0102, 'US', us(15)],
    [0x0028, 0x0103, 'US', us(1)],
    [0x0028, 0x1052, 'DS', text('-1024')],
    [0x0028, 0x1053, 'DS', text('1')],
  ];
}

/** The header of an explicit-VR OW PixelData element of `length` bytes (the value follows it). */
const pixelDataHeader = (length: number): Uint8Array => concat([us(0x7fe0), us(0x0010), text('OW'), new Uint8Array(2), u32(length)]);

/** A CT file of `frames` frames of rows×cols 16-bit pixels (stored value 0 = −1024 HU). */
export function ctFrames(rows: number, cols: number, frames: number, syntax = EXPLICIT_LE): Uint8Array {
  const bytes = rows * cols * frames * 2;
  const body = concat([dataset(ctHeader({ rows, cols, frames }), true), pixelDataHeader(bytes), new Uint8Array(bytes)]);
  return part10(syntax, syntax === DEFLATED_LE ? deflateRawSync(body) : body);
}

/**
 * A deflated data set that inflates to `inflatedBytes` (mostly PixelData zeros) from a few hundred KB:
 * one sync-flushed deflate block of 1 MiB of zeros, repeated (its back-references only reach zeros,
 * so the repeat is valid), then a final empty block. Nothing of the inflated size is ever allocated here.
 */
export function deflateBomb(inflatedBytes = 1 << 30): Uint8Array {
  const ZEROS = 1 << 20;
  const repeats = Math.ceil(inflatedBytes / ZEROS);
  const frames = 1;
  const side = 512;
  const head = concat([dataset(ctHeader({ rows: side, cols: side, frames }), true), pixelDataHeader(repeats * ZEROS)]);
  const sync = { finishFlush: constants.Z_SYNC_FLUSH };
  const start = deflateRawSync(head, sync);
  const block = deflateRawSync(new Uint8Array(ZEROS), sync);
  const end = deflateRawSync(new Uint8Array(0));
  const body = new Uint8Array(start.length + repeats * block.length + end.length);
  body.set(start);
  for (let k = 0; k < repeats; k++) body.set(block, start.length + k * block.length);
  body.set(end, start.length + repeats * block.length);
  return part10(DEFLATED_LE, body);
}

/** A CT file whose one SQ element holds items nested `depth` deep (undefined lengths, closed properly). */
export function deepSequence(depth: number, syntax = EXPLICIT_LE): Uint8Array {
  const open = concat([us(0x0008), us(0x1115), text('SQ'), new Uint8Array(2), u32(0xffffffff), us(0xfffe), us(0xe000), u32(0xffffffff)]);
  const close = concat([us(0xfffe), us(0xe00d), u32(0), us(0xfffe), us(0xe0dd), u32(0)]);
  const nest = new Uint8Array(depth * (open.length + close.length));
  for (let k = 0; k < depth; k++) {
    nest.set(open, k * open.length);
    nest.set(close, depth * open.length + k * close.length);
  }
  const [before, after] = [dataset(ctHeader({ rows: 2, cols: 2 }).slice(0, 2), true), dataset(ctHeader({ rows: 2, cols: 2 }).slice(2), true)];
  const body = concat([before, nest, after, pixelDataHeader(8), new Uint8Array(8)]);
  return part10(syntax, syntax === DEFLATED_LE ? deflateRawSync(body) : body);
}

/**
 * The fuzz's find: the deep sequence above with its first element's VR rewritten to SQ, so that
 * element's "length" (four bytes of its UID text, ~775 MB) runs far past the end of the file. An
 * element walk that skipped it saw nothing deep; dcmjs scanned on for items, found the 10,000 levels
 * and recursed (11 s, then a stack overflow).
 */
export function hiddenNesting(depth = 10_000): Uint8Array {
  const b = deepSequence(depth);
  // Part 10 header: 132 bytes, then the meta group, whose length (0002,0000) gives at byte 140.
  const first = 144 + new DataView(b.buffer, b.byteOffset).getUint32(140, true);
  b.set([0x53, 0x51], first + 4);
  return b;
}

/**
 * A 2×2 CT slice with a `bytes`-long OB value inside `depth` levels of undefined-length sequences and
 * items: dcmjs searches an undefined-length item's bytes for its end, again at every level (16 levels
 * around 16 MB: 10 s). Deflated by default: 16 MB of zeros is ~16 KB on disk.
 */
export function nestedValue(depth = 16, bytes = 16 << 20, syntax = DEFLATED_LE): Uint8Array {
  const open = concat([us(0x0008), us(0x1115), text('SQ'), new Uint8Array(2), u32(0xffffffff), us(0xfffe), us(0xe000), u32(0xffffffff)]);
  const close = concat([us(0xfffe), us(0xe00d), u32(0), us(0xfffe), us(0xe0dd), u32(0)]);
  const value = concat([us(0x0009), us(0x1010), text('OB'), new Uint8Array(2), u32(bytes), new Uint8Array(bytes)]);
  const header = ctHeader({ rows: 2, cols: 2 });
  const body = concat([dataset(header.slice(0, 2), true), ...Array<Uint8Array>(depth).fill(open), value, ...Array<Uint8Array>(depth).fill(close), dataset(header.slice(2), true), pixelDataHeader(8), new Uint8Array(8)]);
  return part10(syntax, syntax === DEFLATED_LE ? deflateRawSync(body) : body);
}

/** A 2×2 CT slice whose Rows is the decimal string "2.5" (VR DS) instead of a 16-bit integer. */
export function fractionalRows(): Uint8Array {
  // 16 bytes: more than 2.5 × 2 pixels of 16 bits need, so the size check does not catch it.
  return part10(EXPLICIT_LE, concat([dataset(ctHeader({ rows: '2.5', cols: 2 }), true), pixelDataHeader(16), new Uint8Array(16)]));
}

export interface HostileDicom {
  /** File name (also the row's name in the e2e). */
  name: string;
  /** What it is and what it did before the limits. */
  description: string;
  /** The bytes (generated, never stored). */
  bytes: () => Uint8Array;
  /** The refusal code the readers must give it. */
  code: RefusalCode;
  /** What the user's reason must say. */
  reason: RegExp;
}

export const HOSTILE_DICOM: readonly HostileDicom[] = [
  {
    name: 'deflate-bomb.dcm',
    description: 'Deflated Explicit VR LE (1.2.840.10008.1.2.1.99) whose ~1 MB of deflate inflates to 1 GiB of PixelData: took a tab to 5.5 GB and Node to an abort',
    bytes: () => deflateBomb(1 << 30),
    code: 'inflate-limit',
    reason: /inflates? to more than/i,
  },
  {
    name: 'frames-20000.dcm',
    description: '20,000 frames of 1×1 pixels in a 40 KB PixelData: 20,000 model runs for one file',
    bytes: () => ctFrames(1, 1, 20_000),
    code: 'too-many-frames',
    reason: /20000 frames.*limit/i,
  },
  {
    name: 'frames-4mb.dcm',
    description: '4 MB of PixelData cut into 32,768 frames of 8×8: took the tab to 1.5 GB and Node out of a 512 MB heap',
    bytes: () => ctFrames(8, 8, 32_768),
    code: 'too-many-frames',
    reason: /32768 frames.*limit/i,
  },
  {
    name: 'deep-sequence.dcm',
    description: 'A sequence whose items nest 10,000 deep (explicit VR, ~360 KB): 64 s in dcmjs, then a stack overflow',
    bytes: () => deepSequence(10_000),
    code: 'nesting-limit',
    reason: /nested.*deeper than/i,
  },
  {
    name: 'deep-sequence-deflated.dcm',
    description: 'The same 10,000-deep nesting, deflated (~1 KB on disk)',
    bytes: () => deepSequence(10_000, DEFLATED_LE),
    code: 'nesting-limit',
    reason: /nested.*deeper than/i,
  },
  {
    name: 'hidden-nesting.dcm',
    description: 'Found by the fuzz: 10,000 nested items behind an element re-typed SQ whose length runs ~775 MB past the end of the file: 11 s in dcmjs, then a stack overflow',
    bytes: () => hiddenNesting(),
    code: 'malformed',
    reason: /sequences and items do not nest properly/,
  },
  {
    name: 'item-search.dcm',
    description: 'A 16 MB value inside 16 levels of undefined-length items, deflated (~16 KB): dcmjs searches 256 MB for the items\' ends, 10 s',
    bytes: () => nestedValue(16, 16 << 20),
    code: 'nesting-limit',
    reason: /nested items would take too long to read/,
  },
  {
    name: 'thin-frame.dcm',
    description: 'One 2×40,000 frame (80,000 pixels, 160 KB): within the pixel limit, but the source normalisation pads it to a 1.6 GP square',
    bytes: () => ctFrames(2, 40_000, 1),
    code: 'aspect-ratio',
    reason: /padded to a \d+×\d+ square/i,
  },
  {
    name: 'rows-2.5.dcm',
    description: 'Rows written as the decimal string "2.5" (VR DS): a plain Error from the pixel loop',
    bytes: fractionalRows,
    code: 'malformed',
    reason: /Rows/,
  },
];

/** Writes a hostile file into `dir` and returns its path (the e2e's make(dir)). */
export function makeHostileDicom(h: HostileDicom, dir: string): string {
  const path = join(dir, h.name);
  writeFileSync(path, h.bytes());
  return path;
}
