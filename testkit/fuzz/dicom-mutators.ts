/**
 * DICOM-structure mutators: element lengths, VR swaps, deep nesting, Rows/Columns/NumberOfFrames
 * blow-ups and the deflated syntax. They edit the elements the contract's own header walk finds.
 */
import { deflateRawSync } from 'node:zlib';
import { bareDatasetSyntax, hasPreamble } from '@respidetect/contract';
// The contract's own header walk (not part of its public surface): the mutators edit the elements it finds.
import { readFileMeta, scanStructure, type ElementHeader } from '../../contract/src/dicom/structure';
import { concat } from '../bytes';
import { ascii, INTERESTING_U32, int, pick, splice, type Mutator } from './mutator';

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

export const DICOM_MUTATORS: readonly Mutator[] = [
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
];
