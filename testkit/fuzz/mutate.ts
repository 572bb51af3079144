/**
 * Seeded mutators for the fuzz suite: generic byte edits (bit flips, byte sets, truncation, chunk
 * duplication, insertion, deletion) and format-aware ones (DICOM element lengths, VR swaps, nesting,
 * Rows/Columns/NumberOfFrames blow-ups, the deflated syntax; PNG IHDR and chunk lengths; JPEG SOF and
 * segment lengths). Same seed, same mutants: a failure is reproduced from its seed and index.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { bareDatasetSyntax, hasPreamble } from '@respidetect/contract';
// The contract's own header walk (not part of its public surface): the mutators edit the elements it finds.
import { readFileMeta, scanStructure, type ElementHeader } from '../../contract/src/dicom/structure';
import { concat } from '../bytes';

export type Rand = () => number;
export type SeedKind = 'dicom' | 'png' | 'jpeg' | 'raster';
export interface Mutator {
  name: string;
  kinds: readonly SeedKind[] | 'all';
  apply: (b: Uint8Array, r: Rand) => Uint8Array;
}

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const splice = (b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array => concat([b.subarray(0, at), insert, b.subarray(at + remove)]);

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_U32 = [0, 1, 2, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** A DICOM file's layout: where its data set starts and in which VR encoding, from the meta group or the first element. */
export function dicomLayout(b: Uint8Array): { start: number; explicit: boolean; part10: boolean } | null {
  if (hasPreamble(b)) {
    const meta = readFileMeta(b);
    return meta ? { start: meta.end, explicit: meta.syntax !== '1.2.840.10008.1.2', part10: true } : null;
  }
  const syntax = bareDatasetSyntax(b);
  return syntax ? { start: 0, explicit: syntax !== '1.2.840.10008.1.2', part10: false } : null;
}

/** Every element header the structure walk reaches (best effort on an already mutated file). */
export function dicomElements(b: Uint8Array): ElementHeader[] {
  const layout = dicomLayout(b);
  if (!layout) return [];
  const out: ElementHeader[] = [];
  scanStructure(b, layout.start, { explicit: layout.explicit, maxDepth: 64, maxElements: 20_000, partial: true, visit: (e) => out.push(e) });
  return out;
}

function setLength(b: Uint8Array, e: ElementHeader, length: number): Uint8Array {
  const out = b.slice();
  const v = new DataView(out.buffer);
  if (e.lengthBytes === 2) v.setUint16(e.lengthOffset, length & 0xffff, true);
  else v.setUint32(e.lengthOffset, length >>> 0, true);
  return out;
}

/** The element rewritten with a new value (its length field updated; enclosing lengths are left stale, which is a mutation too). */
function replaceValue(b: Uint8Array, e: ElementHeader, value: Uint8Array, vr?: string): Uint8Array {
  const header = b.slice(e.offset, e.valueOffset);
  if (vr && e.lengthBytes === 2 && header.length === 8) {
    header[4] = vr.charCodeAt(0);
    header[5] = vr.charCodeAt(1);
  }
  const v = new DataView(header.buffer);
  if (e.lengthBytes === 2) v.setUint16(header.length - 2, value.length, true);
  else v.setUint32(header.length - 4, value.length, true);
  const old = e.length === 0xffffffff ? 0 : Math.min(e.length, b.length - e.valueOffset);
  return splice(b, e.offset, e.valueOffset - e.offset + old, concat([header, value]));
}

const even = (s: string, pad = ' '): Uint8Array => ascii(s.length % 2 ? s + pad : s);
const us = (v: number): Uint8Array => new Uint8Array(new Uint16Array([v & 0xffff]).buffer);

/** A sequence nested `depth` deep, in either VR encoding, closed or left open. */
function nesting(depth: number, explicit: boolean, closed: boolean): Uint8Array {
  const sq = explicit ? concat([us(0x0008), us(0x1115), ascii('SQ'), new Uint8Array(2), new Uint8Array([255, 255, 255, 255])]) : concat([us(0x0008), us(0x1115), new Uint8Array([255, 255, 255, 255])]);
  const item = concat([us(0xfffe), us(0xe000), new Uint8Array([255, 255, 255, 255])]);
  const end = concat([us(0xfffe), us(0xe00d), new Uint8Array(4), us(0xfffe), us(0xe0dd), new Uint8Array(4)]);
  const open = concat([sq, item]);
  const parts: Uint8Array[] = [];
  for (let k = 0; k < depth; k++) parts.push(open);
  if (closed) for (let k = 0; k < depth; k++) parts.push(end);
  return concat(parts);
}

const topLevel = (els: ElementHeader[]): ElementHeader[] => els.filter((e) => e.depth === 0 && e.tag >>> 16 !== 0xfffe && e.tag >>> 16 !== 0x0002);
const withTag = (els: ElementHeader[], tag: number): ElementHeader | undefined => els.find((e) => e.tag === tag);

function pngChunks(b: Uint8Array): Array<{ at: number; length: number; type: string }> {
  const out = [];
  for (let at = 8; at + 12 <= b.length && out.length < 64; ) {
    const length = be32(b, at);
    out.push({ at, length, type: String.fromCharCode(...b.subarray(at + 4, at + 8)) });
    at += 12 + length;
  }
  return out;
}

function jpegSegments(b: Uint8Array): Array<{ at: number; marker: number }> {
  const out = [];
  for (let i = 2; i + 4 <= b.length && b[i] === 0xff && out.length < 64; ) {
    const marker = b[i + 1]!;
    out.push({ at: i, marker });
    if (marker === 0xda) break;
    i += 2 + be16(b, i + 2);
  }
  return out;
}

/** A JPEG APP14 segment whose length field (which counts itself) is `length`. */
function appSegment(length: number): Uint8Array {
  const seg = new Uint8Array(2 + length);
  seg.set([0xff, 0xee, length >> 8, length & 0xff]);
  return seg;
}

export const MUTATORS: readonly Mutator[] = [
  {
    name: 'bit-flips',
    kinds: 'all',
    apply: (b, r) => {
      const out = b.slice();
      for (let k = 1 + int(r, 16); k > 0 && out.length > 0; k--) out[int(r, out.length)]! ^= 1 << int(r, 8);
      return out;
    },
  },
  {
    name: 'byte-sets',
    kinds: 'all',
    apply: (b, r) => {
      const out = b.slice();
      for (let k = 1 + int(r, 8); k > 0 && out.length > 0; k--) out[int(r, out.length)] = r() < 0.5 ? pick(r, INTERESTING_BYTES) : int(r, 256);
      return out;
    },
  },
  { name: 'truncate', kinds: 'all', apply: (b, r) => b.slice(0, int(r, b.length)) },
  {
    name: 'duplicate-chunk',
    kinds: 'all',
    apply: (b, r) => {
      const from = int(r, b.length);
      const chunk = b.slice(from, from + 1 + int(r, 4096));
      let out = b;
      for (let k = 1 + int(r, 3); k > 0; k--) out = splice(out, int(r, out.length + 1), 0, chunk);
      return out;
    },
  },
  { name: 'insert-random', kinds: 'all', apply: (b, r) => splice(b, int(r, b.length + 1), 0, Uint8Array.from({ length: 1 + int(r, 256) }, () => int(r, 256))) },
  { name: 'delete-chunk', kinds: 'all', apply: (b, r) => splice(b, int(r, b.length), 1 + int(r, 512), new Uint8Array(0)) },
  {
    name: 'dicom-element-length',
    kinds: ['dicom'],
    apply: (b, r) => {
      const els = dicomElements(b);
      if (els.length === 0) return b;
      const e = pick(r, els);
      const lengths = [...INTERESTING_U32, e.length + 1, e.length - 1, e.length * 2, e.length + 2, int(r, 2 ** 32)];
      return setLength(b, e, pick(r, lengths));
    },
  },
  {
    name: 'dicom-vr-swap',
    kinds: ['dicom'],
    apply: (b, r) => {
      const els = dicomElements(b).filter((e) => e.tag >>> 16 !== 0xfffe && e.lengthBytes === 2 && e.valueOffset - e.offset === 8);
      const layout = dicomLayout(b);
      if (els.length === 0 || !layout?.explicit) return b;
      const e = pick(r, els);
      const out = b.slice();
      const vr = pick(r, ['SQ', 'UN', 'OB', 'OW', 'US', 'UL', 'DS', 'IS', 'FD', 'AT', 'UT', 'XX', '\0\0']);
      out[e.offset + 4] = vr.charCodeAt(0);
      out[e.offset + 5] = vr.charCodeAt(1);
      return out;
    },
  },
  {
    name: 'dicom-nesting',
    kinds: ['dicom'],
    apply: (b, r) => {
      const layout = dicomLayout(b);
      const els = topLevel(dicomElements(b));
      if (!layout || els.length === 0) return b;
      const at = pick(r, els).offset;
      return splice(b, at, 0, nesting(pick(r, [1, 3, 8, 31, 32, 33, 64, 500, 3000, 10_000]), layout.explicit, r() < 0.7));
    },
  },
  {
    name: 'dicom-size-fields',
    kinds: ['dicom'],
    apply: (b, r) => {
      const els = dicomElements(b);
      const field = pick(r, [0x00280010, 0x00280011, 0x00280008, 0x00280100, 0x00280002, 0x00280103, 0x00281053]);
      const e = withTag(els, field);
      if (!e) {
        // NumberOfFrames is absent from single-frame files: add one before Rows.
        const rows = withTag(els, 0x00280010);
        const layout = dicomLayout(b);
        if (!rows || !layout || field !== 0x00280008) return b;
        const value = even(pick(r, ['2', '1001', '20000', '2147483647', '0', '-1', '2.5', 'abc']));
        const head = layout.explicit ? concat([us(0x0028), us(0x0008), ascii('IS'), us(value.length)]) : concat([us(0x0028), us(0x0008), new Uint8Array(new Uint32Array([value.length]).buffer)]);
        return splice(b, rows.offset, 0, concat([head, value]));
      }
      if (field === 0x00280008 || field === 0x00281053) return replaceValue(b, e, even(pick(r, ['0', '-1', '2.5', '1e9', '1001', '20000', '2147483647', '99999999999', 'abc', '', 'NaN', 'Infinity'])));
      if (r() < 0.2) return replaceValue(b, e, even(pick(r, ['2.5', '-3', '1e5', '0'])), 'DS');
      return replaceValue(b, e, us(pick(r, [0, 1, 3, 12, 32, 255, 4096, 0x7fff, 0xffff, int(r, 0x10000)])));
    },
  },
  {
    name: 'dicom-deflate-syntax',
    kinds: ['dicom'],
    apply: (b, r) => {
      const layout = dicomLayout(b);
      if (!layout?.part10) return b;
      const ts = withTag(dicomElements(b.subarray(0, layout.start)), 0x00020010);
      const meta = readFileMeta(b);
      if (!ts || !meta) return b;
      const mode = int(r, 3);
      const body = b.subarray(layout.start);
      // 0: the syntax says deflated, the bytes are not; 1: really deflated; 2: deflated with megabytes of zeros after it.
      const data = mode === 0 ? body : deflateRawSync(mode === 1 ? body : concat([body, new Uint8Array((1 + int(r, 16)) << 20)]));
      const head = replaceValue(b.subarray(0, layout.start), ts, even('1.2.840.10008.1.2.1.99', '\0'));
      const out = concat([head, data]);
      // Keep the meta group length true, so the deflate is what gets tested.
      new DataView(out.buffer).setUint32(140, layout.start - 144 + (head.length - layout.start), true);
      return out;
    },
  },
  {
    name: 'png-header',
    kinds: ['png'],
    apply: (b, r) => {
      const chunks = pngChunks(b);
      if (chunks.length === 0) return b;
      const out = b.slice();
      const v = new DataView(out.buffer);
      if (r() < 0.6 && chunks[0]!.type === 'IHDR' && out.length >= 33) {
        const which = int(r, 4);
        if (which < 2) v.setUint32(16 + which * 4, pick(r, [0, 1, 20_000, 65_535, 0x7fffffff, 0xffffffff, int(r, 2 ** 32)]));
        else out[24 + which - 2] = pick(r, [0, 1, 2, 3, 4, 6, 7, 8, 16, 255]);
        // A true CRC half the time, so the decoder reads the edited header instead of stopping at the checksum.
        if (r() < 0.5) v.setUint32(29, crc32(out.subarray(12, 29)));
      } else v.setUint32(pick(r, chunks).at, pick(r, [...INTERESTING_U32, int(r, 2 ** 32)]));
      return out;
    },
  },
  {
    name: 'jpeg-header',
    kinds: ['jpeg'],
    apply: (b, r) => {
      const segs = jpegSegments(b);
      if (segs.length === 0) return b;
      const sof = segs.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(s.marker));
      const out = b.slice();
      const v = new DataView(out.buffer);
      const mode = int(r, 4);
      if (mode === 0 && sof) v.setUint16(sof.at + 5 + 2 * int(r, 2), pick(r, [0, 1, 0x7fff, 0xffff, int(r, 0x10000)]));
      else if (mode === 1 && sof) out[sof.at + pick(r, [4, 9])] = pick(r, [0, 1, 2, 4, 8, 12, 16, 255]);
      else if (mode === 2) v.setUint16(pick(r, segs).at + 2, pick(r, [0, 1, 2, 0xffff, int(r, 0x10000)]));
      else {
        // APP segments of more than 64 KiB before the frame header (the late-SOF case).
        return splice(b, 2, 0, concat([appSegment(65_535), appSegment(2 + int(r, 1000))]));
      }
      return out;
    },
  },
];

/** One mutant: 1–3 mutations, each drawn from those that apply to the seed's kind. */
export function mutate(b: Uint8Array, kind: SeedKind, r: Rand): { bytes: Uint8Array; mutators: string[] } {
  const usable = MUTATORS.filter((m) => m.kinds === 'all' || m.kinds.includes(kind) || (kind !== 'dicom' && m.kinds.includes('raster')));
  // The format-aware mutators first (they need the structure intact), generic ones after.
  const specific = usable.filter((m) => m.kinds !== 'all');
  const chosen: Mutator[] = [];
  if (specific.length > 0 && r() < 0.6) chosen.push(pick(r, specific));
  for (let k = int(r, chosen.length ? 2 : 3) + (chosen.length ? 0 : 1); k > 0; k--) chosen.push(pick(r, usable));
  let bytes = b;
  for (const m of chosen) bytes = m.apply(bytes, r);
  return { bytes, mutators: chosen.map((m) => m.name) };
}
