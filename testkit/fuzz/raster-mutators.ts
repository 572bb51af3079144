/** PNG and JPEG header mutators: IHDR fields and chunk lengths; SOF fields, segment lengths and oversized APP segments. */
import { crc32 } from 'node:zlib';
import { concat } from '../bytes';
import { INTERESTING_U32, int, pick, splice, type Mutator } from './mutator';

const be16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

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


export const RASTER_MUTATORS: readonly Mutator[] = [
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
