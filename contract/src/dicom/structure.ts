/**
 * A cheap walk over a DICOM data set's element headers, before dcmjs parses it: dcmjs recurses once
 * per nested sequence and item (10,000 levels: 64 s, then a stack overflow) and has no element
 * count limit, so depth and size are measured here first, on headers only (no value is decoded).
 * It follows PS3.5 7.1–7.5: explicit or implicit VR little endian, defined or undefined lengths,
 * items closed by their delimiters, encapsulated PixelData as a list of fragments.
 */
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- as in decode.ts: dcmjs has no types of its own
/// <reference path="./dcmjs.d.ts" />
import dcmjs from 'dcmjs';

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;

/** VRs whose explicit header is 12 bytes with a 32-bit length (PS3.5 7.1.2); the rest have 8 bytes and 16 bits. */
const LONG_VRS = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const SHORT_VRS = new Set('AE AS AT CS DA DS DT FL FD IS LO LT PN SH SL SS ST TM UI UL US'.split(' '));

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
/** A tag as the dictionary keys it: "(GGGG,EEEE)". */
export const tagName = (tag: number): string => `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;

/** The dictionary VR of a tag, for implicit VR data sets (where the file does not say it). */
const dictionaryVr = (tag: number): string | undefined => dcmjs.data.DicomMetaDictionary.dictionary[tagName(tag)]?.vr;

export interface ElementHeader {
  tag: number;
  /** The VR as written (explicit) or from the dictionary (implicit; null when unknown). */
  vr: string | null;
  /** Where the element's header starts, where its length field sits and how wide it is, where its value starts. */
  offset: number;
  lengthOffset: number;
  lengthBytes: 2 | 4;
  valueOffset: number;
  /** The value length; UNDEFINED (0xFFFFFFFF) for a sequence or encapsulated PixelData closed by a delimiter. */
  length: number;
  /** Open sequences around this element (0 at the top level). */
  depth: number;
}

export interface Structure {
  /** The deepest sequence nesting seen (1: a sequence at the top level). */
  maxDepth: number;
  /**
   * The bytes dcmjs searches to find where undefined-length items end: each such item's bytes, once
   * for every item it is nested in (it searches each level's bytes again), so 16 levels around 16 MB is 256 MB.
   */
  itemBytes: number;
  elements: number;
  /**
   * Why the walk stopped before the end: a limit ('depth', 'elements'), or structure it cannot follow
   * (a stray or unknown delimiter, a fragment of undefined length); null when it reached the end.
   */
  stopped: null | 'depth' | 'elements' | 'item-bytes' | string;
  /** Where it stopped (the end of the bytes when it did not). */
  end: number;
}

interface Open {
  /** Where a defined-length container ends; null: closed by a delimiter. */
  end: number | null;
  kind: 'sequence' | 'item' | 'fragments';
  /** Where its value starts. */
  start: number;
}

/**
 * Walks the elements from `start` (explicit or implicit VR little endian). Stops at `maxDepth` + 1
 * levels of sequences or `maxElements` + 1 elements (reporting which), or at structure that does not
 * nest as PS3.5 7.5 says (then dcmjs, which reads on regardless, would part ways with this walk, and
 * a file could hide its nesting from it): a sequence holding anything but items, a delimiter that
 * closes nothing open, a value or container running past the end of the item or sequence around it
 * or (unless `partial`: the bytes are a prefix) a container running past the end of the bytes.
 * `visit` sees every header.
 */
export function scanStructure(
  b: Uint8Array,
  start: number,
  opts: { explicit: boolean; maxDepth: number; maxElements: number; maxItemBytes?: number; partial?: boolean; visit?: (e: ElementHeader) => void },
): Structure {
  const open: Open[] = [];
  let sequences = 0;
  let maxDepth = 0;
  let elements = 0;
  let itemBytes = 0;
  let i = start;
  const done = (stopped: Structure['stopped']): Structure => {
    // Items left open at the end are searched to the end.
    if (stopped === null) for (const o of open) if (o.kind === 'item' && o.end === null) itemBytes += b.length - o.start;
    if (stopped === null && itemBytes > (opts.maxItemBytes ?? Infinity)) stopped = 'item-bytes';
    return { maxDepth, elements, itemBytes, stopped, end: i };
  };
  const pop = (): void => {
    const o = open.pop();
    if (o?.kind !== 'item') sequences--;
    else if (o.end === null) itemBytes += i - o.start;
  };
  /** Where the innermost defined-length container around `i` ends (the bytes' end when none does). */
  const bound = (): number => {
    for (let k = open.length - 1; k >= 0; k--) if (open[k]!.end !== null) return open[k]!.end!;
    return Infinity;
  };
  for (;;) {
    while (open.length > 0 && open.at(-1)!.end !== null && i >= open.at(-1)!.end!) pop();
    // The end, or a last element cut short: what dcmjs reads of it is its call (it reads what is there).
    if (i + 8 > b.length) return done(null);
    const group = u16(b, i);
    if (++elements > opts.maxElements) return done('elements');
    const tag = ((group << 16) | u16(b, i + 2)) >>> 0;
    const top = open.at(-1);
    const inSequence = top !== undefined && top.kind !== 'item';
    if (group === 0xfffe) {
      const length = u32(b, i + 4);
      opts.visit?.({ tag, vr: null, offset: i, lengthOffset: i + 4, lengthBytes: 4, valueOffset: i + 8, length, depth: sequences });
      i += 8;
      if (tag === ITEM) {
        if (!inSequence) return done('an item outside a sequence');
        if (length !== UNDEFINED && i + length > bound()) return done('an item running past the end of its sequence');
        if (length !== UNDEFINED && i + length > b.length && !opts.partial) return done('an item running past the end of the file');
        // A fragment of encapsulated PixelData is bytes, not a data set.
        if (top.kind === 'fragments') {
          if (length === UNDEFINED) return done('a PixelData fragment of undefined length');
          i += length;
        } else open.push({ end: length === UNDEFINED ? null : i + length, kind: 'item', start: i });
      } else if (tag === ITEM_END) {
        if (top?.kind !== 'item' || top.end !== null) return done(`an item delimiter that closes no item`);
        pop();
        if (itemBytes > (opts.maxItemBytes ?? Infinity)) return done('item-bytes');
      } else if (tag === SEQUENCE_END) {
        if (!inSequence || top.end !== null) return done(`a sequence delimiter that closes no sequence`);
        pop();
      } else return done(`an unknown delimiter ${tagName(tag)}`);
      continue;
    }
    if (inSequence) return done(`an element ${tagName(tag)} inside a sequence, where only items may be`);
    let vr: string | null;
    let length: number;
    let header: number;
    let lengthBytes: 2 | 4;
    if (opts.explicit) {
      vr = String.fromCharCode(b[i + 4]!, b[i + 5]!);
      // As dcmjs reads them: a VR it does not know is UN, and a UN whose tag the dictionary knows takes the
      // dictionary's VR (a UN sequence is parsed as a sequence), both with the 32-bit length. The walk must
      // follow the same path as the parser, or a file could hide its nesting from it.
      if (!SHORT_VRS.has(vr) && !LONG_VRS.has(vr)) vr = 'UN';
      if (LONG_VRS.has(vr)) [length, header, lengthBytes] = [u32(b, i + 8), 12, 4];
      else [length, header, lengthBytes] = [u16(b, i + 6), 8, 2];
      if (vr === 'UN') vr = dictionaryVr(tag) ?? 'UN';
    } else [vr, length, header, lengthBytes] = [dictionaryVr(tag) ?? null, u32(b, i + 4), 8, 4];
    opts.visit?.({ tag, vr, offset: i, lengthOffset: i + header - lengthBytes, lengthBytes, valueOffset: i + header, length, depth: sequences });
    i += header;
    if (length !== UNDEFINED && i + length > bound()) return done(`${tagName(tag)} running past the end of its item`);
    if (tag === PIXEL_DATA && length === UNDEFINED) {
      open.push({ end: null, kind: 'fragments', start: i });
      sequences++;
    } else if (vr === 'SQ' || length === UNDEFINED) {
      // An undefined length is a sequence whatever the VR says (UN in implicit VR, PS3.5 6.2.2).
      if (length !== UNDEFINED && i + length > b.length && !opts.partial) return done(`a sequence ${tagName(tag)} running past the end of the file`);
      open.push({ end: length === UNDEFINED ? null : i + length, kind: 'sequence', start: i });
      maxDepth = Math.max(maxDepth, ++sequences);
      if (sequences > opts.maxDepth) return done('depth');
    } else i += length;
  }
}

/**
 * The deepest nesting of undefined-length items as dcmjs finds them: it ends such an item at the
 * first item delimiter (FFFE,E00D, length 0) that its count of undefined-length item starts
 * (FFFE,E000, length FFFFFFFF) balances, searching the bytes, values included, not the elements.
 * So its recursion is bounded by the bracket depth of those two 8-byte patterns anywhere in the data
 * set, whatever the element walk above saw; the count stops once it passes `max`.
 */
export function itemBracketDepth(b: Uint8Array, start: number, max: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = b.indexOf(0xfe, start); i >= 0 && i + 8 <= b.length; i = b.indexOf(0xfe, i + 1)) {
    if (b[i + 1] !== 0xff || b[i + 3] !== 0xe0) continue;
    const length = u32(b, i + 4);
    if (b[i + 2] === 0x00 && length === UNDEFINED) deepest = Math.max(deepest, ++depth);
    else if (b[i + 2] === 0x0d && length === 0 && depth > 0) depth--;
    if (deepest > max) break;
  }
  return deepest;
}

export interface FileMeta {
  /** TransferSyntaxUID, without padding; implicit VR little endian when the meta group has none. */
  syntax: string;
  /** Where the data set starts: after the meta group, whose length its first element, (0002,0000), gives. */
  end: number;
  /** The meta group's elements after (0002,0000), in order. */
  elements: ElementHeader[];
}

/**
 * Reads the file meta group (explicit VR little endian, PS3.10 7.1) of a Part 10 file, as dcmjs
 * does: (0002,0000) first, its value the length of the rest. Null when it is not there or not whole.
 */
export function readFileMeta(b: Uint8Array): FileMeta | null {
  if (b.length < 144 || u32(b, 132) !== 0x00000002 || b[136] !== 0x55 || b[137] !== 0x4c || u16(b, 138) !== 4) return null;
  const end = 144 + u32(b, 140);
  if (end > b.length) return null;
  const elements: ElementHeader[] = [];
  const s = scanStructure(b.subarray(0, end), 144, { explicit: true, maxDepth: 0, maxElements: 1000, visit: (e) => elements.push(e) });
  if (s.stopped !== null) return null;
  const ts = elements.find((e) => e.tag === 0x00020010);
  // A UID is at most 64 characters (PS3.5 9.1).
  if (ts && ts.length > 64) return null;
  const syntax = ts ? String.fromCharCode(...b.subarray(ts.valueOffset, ts.valueOffset + ts.length)).replace(/[\0 ]+$/, '') : '1.2.840.10008.1.2';
  return { syntax, end, elements };
}
