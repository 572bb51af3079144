/**
 * Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99, PS3.5 A.5): the data set after the
 * file meta group is one raw deflate stream. dcmjs inflates it whole with pako.inflateRaw, without a
 * bound: 1 MB of deflate can inflate to gigabytes (a 5.5 GB tab, a Node abort). Here the stream is
 * inflated in 1 MiB chunks and stopped as soon as the output passes MAX_DICOM_INFLATED_BYTES (or,
 * sooner, what the header's image size needs), and the result is handed on as an ordinary explicit
 * VR little endian file, so dcmjs never inflates.
 */
// pako has no types of its own; as with dcmjs (decode.ts), the reference carries ours into every project that imports the contract.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./pako.d.ts" />
import pako from 'pako';
import { FileRefusal, thrownText } from '../file-refusal';
import { concatBytes } from '../util/bytes';
import { DICOM_HEADER_ALLOWANCE_BYTES, MAX_DICOM_ELEMENTS, MAX_DICOM_INFLATED_BYTES, MAX_DICOM_SEQUENCE_DEPTH } from './limits';
import { scanStructure, type FileMeta } from './structure';

export const DEFLATED_VR_LE = '1.2.840.10008.1.2.1.99';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const CHUNK = 1 << 20;

const MiB = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

/** The header's own bound on a data set's size: where its PixelData ends, as far as Rows × Columns × frames × bits need. */
export type HeaderBound = (prefix: Uint8Array) => number | null;

/** How much of the inflated start is searched for the header (it precedes PixelData, and is small). */
const HEADER_SEARCH_BYTES = 4 * CHUNK;

/**
 * The raw deflate stream inflated, or a refusal once it passes `limit` bytes or turns out broken.
 * With `bound`, the limit tightens to what the header (read off the first inflated bytes) says the
 * data set needs, so a bomb that claims one 512×512 frame stops after a few MiB, not the file limit.
 */
export function inflateBounded(name: string, deflated: Uint8Array, limit = MAX_DICOM_INFLATED_BYTES, bound?: HeaderBound): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tight: number | null = null;
  const inflater = new pako.Inflate({ raw: true, chunkSize: CHUNK });
  inflater.onData = (chunk) => {
    total += chunk.length;
    // Thrown out of push(): pako stops inflating at once, and nothing past the limit is kept.
    if (total > limit)
      throw new FileRefusal(`${name}: the deflated DICOM data set inflates to more than ${MiB(limit)}, the limit for one file (its pixel limit plus a header allowance)`, 'refused', {
        code: 'inflate-limit',
        details: `stopped after ${total} inflated bytes from ${deflated.length} deflated`,
      });
    if (tight !== null && total > tight)
      throw new FileRefusal(`${name}: the deflated DICOM data set inflates to more than ${MiB(tight)}, more than its header's image size needs`, 'refused', {
        code: 'inflate-limit',
        details: `stopped after ${total} inflated bytes from ${deflated.length} deflated; the header bounds the data set at ${tight} bytes`,
      });
    chunks.push(chunk);
    if (bound && tight === null && total <= HEADER_SEARCH_BYTES) tight = bound(chunks.length === 1 ? chunk : concatBytes(chunks));
  };
  try {
    for (let at = 0; at < deflated.length && !inflater.ended; at += CHUNK) inflater.push(deflated.subarray(at, at + CHUNK), at + CHUNK >= deflated.length);
    if (deflated.length === 0) inflater.push(deflated, true);
  } catch (e) {
    if (e instanceof FileRefusal) throw e;
    throw new FileRefusal(`${name}: the deflated DICOM data set is damaged and cannot be inflated`, 'error', { code: 'malformed', details: thrownText(e) });
  }
  if (inflater.err !== 0 || !inflater.ended)
    throw new FileRefusal(`${name}: the deflated DICOM data set is damaged or cut short and cannot be inflated`, 'error', {
      code: 'malformed',
      details: inflater.err !== 0 ? `pako: ${inflater.msg} (${inflater.err})` : `the deflate stream has no final block after ${deflated.length} bytes`,
    });
  return concatBytes(chunks);
}

const ascii = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + Math.min(n, 16)));

/**
 * The header bound of an explicit VR little endian data set: the end of its PixelData value as
 * Rows × Columns × NumberOfFrames × BitsAllocated/8 need it (never more than its length says),
 * plus the header allowance for anything after it. Null until the prefix reaches PixelData, or when
 * the header does not say (encapsulated PixelData, missing fields): the file limit then holds alone.
 */
export const explicitHeaderBound: HeaderBound = (prefix) => {
  const v: Record<number, number> = {};
  let pixelEnd: number | null = null;
  scanStructure(prefix, 0, {
    explicit: true,
    partial: true,
    maxDepth: MAX_DICOM_SEQUENCE_DEPTH,
    maxElements: MAX_DICOM_ELEMENTS,
    visit: (e) => {
      if (e.depth !== 0 || pixelEnd !== null) return;
      if (e.tag === 0x7fe00010) {
        const [rows, cols, frames = 1, bits = 16] = [v[0x00280010], v[0x00280011], v[0x00280008], v[0x00280100]];
        if (rows && cols && e.length !== 0xffffffff) pixelEnd = e.valueOffset + Math.min(e.length, rows * cols * frames * Math.ceil(bits / 8));
      } else if ([0x00280010, 0x00280011, 0x00280100].includes(e.tag) && e.length === 2 && e.valueOffset + 2 <= prefix.length) v[e.tag] = prefix[e.valueOffset]! | (prefix[e.valueOffset + 1]! << 8);
      else if (e.tag === 0x00280008 && e.valueOffset + e.length <= prefix.length) {
        const frames = Number(ascii(prefix, e.valueOffset, e.length).trim());
        if (Number.isInteger(frames) && frames > 0) v[e.tag] = frames;
      }
    },
  });
  return pixelEnd === null ? null : pixelEnd + DICOM_HEADER_ALLOWANCE_BYTES;
};

function explicitElement(group: number, element: number, vr: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, element, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  v.setUint16(6, value.length, true);
  out.set(value, 8);
  return out;
}

/**
 * A deflated Part 10 file as an explicit VR little endian one: the same preamble and meta elements
 * (the transfer syntax rewritten, the group length recomputed), then the data set inflated within the
 * limit, which starts at `start`.
 */
export function inflatePart10(name: string, b: Uint8Array, meta: FileMeta): { bytes: Uint8Array; start: number } {
  const dataset = inflateBounded(name, b.subarray(meta.end), MAX_DICOM_INFLATED_BYTES, explicitHeaderBound);
  const ts = explicitElement(0x0002, 0x0010, 'UI', Uint8Array.from(EXPLICIT_VR_LE + '\0', (c) => c.charCodeAt(0)));
  const kept = meta.elements.filter((e) => e.tag !== 0x00020010).map((e) => b.subarray(e.offset, e.valueOffset + e.length));
  const metaBody = [...kept, ts].sort((x, y) => ((x[2]! | (x[3]! << 8)) - (y[2]! | (y[3]! << 8))));
  const metaLength = metaBody.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(144 + metaLength + dataset.length);
  out.set(b.subarray(0, 132));
  const v = new DataView(out.buffer);
  v.setUint32(132, 0x00000002, true);
  out[136] = 0x55; // U
  out[137] = 0x4c; // L
  v.setUint16(138, 4, true);
  v.setUint32(140, metaLength, true);
  let o = 144;
  for (const p of metaBody) {
    out.set(p, o);
    o += p.length;
  }
  out.set(dataset, o);
  return { bytes: out, start: o };
}
