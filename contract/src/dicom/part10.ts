/**
 * Scanners and PACS exports often write a bare DICOM data set: no 128-byte preamble, no "DICM",
 * no file meta group, frequently in implicit VR little endian (PS3.5 A.1). dcmjs reads only
 * Part 10 files, so such bytes are given the smallest valid Part 10 wrapper — a preamble and a
 * meta group naming the transfer syntax read off the first element — and then parsed as usual.
 */

export const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

const ascii = (b: Uint8Array, start: number, len: number): string => String.fromCharCode(...b.subarray(start, start + len));
const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32le = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** The VRs of PS3.5 6.2: what an explicit-VR element carries in bytes 4–5. */
const VRS = new Set('AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));

export const hasPreamble = (b: Uint8Array): boolean => b.length >= 132 && ascii(b, 128, 4) === 'DICM';

/**
 * The transfer syntax of a bare little-endian data set from its first element, or null when the
 * bytes do not start like one. The first element must be of a low group (0002 meta without
 * preamble, 0008 identification, …) with the element numbers ascending from there, as PS3.5 7.1
 * requires; a VR in bytes 4–5 means explicit VR, else a plausible 32-bit length means implicit VR.
 */
export function bareDatasetSyntax(b: Uint8Array): string | null {
  if (b.length < 16) return null;
  const group = u16le(b, 0);
  if (group === 0 || group > 0x0028 || group % 2 !== 0) return null;
  if (VRS.has(ascii(b, 4, 2))) return group === 0x0002 ? 'meta' : EXPLICIT_VR_LE;
  const length = u32le(b, 4);
  if (length === 0xffffffff || length <= b.length) return IMPLICIT_VR_LE;
  return null;
}

function element(group: number, elem: number, vr: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, elem, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  v.setUint16(6, value.length, true);
  out.set(value, 8);
  return out;
}

/** Part 10 bytes for dcmjs: unchanged when they already are; else the bare data set wrapped. Null: not DICOM. */
export function asPart10(bytes: Uint8Array): { bytes: Uint8Array; wrapped: null | string } | null {
  if (hasPreamble(bytes)) return { bytes, wrapped: null };
  const syntax = bareDatasetSyntax(bytes);
  if (!syntax) return null;
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  if (syntax === 'meta') {
    const out = new Uint8Array(132 + bytes.length);
    out.set(preamble);
    out.set(bytes, 132);
    return { bytes: out, wrapped: 'meta group without preamble' };
  }
  let uid = syntax;
  if (uid.length % 2) uid += '\0';
  const ts = element(0x0002, 0x0010, 'UI', Uint8Array.from(uid, (c) => c.charCodeAt(0)));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, ts.length, true);
  const groupLength = element(0x0002, 0x0000, 'UL', length);
  const out = new Uint8Array(132 + groupLength.length + ts.length + bytes.length);
  out.set(preamble);
  out.set(groupLength, 132);
  out.set(ts, 132 + groupLength.length);
  out.set(bytes, 132 + groupLength.length + ts.length);
  return { bytes: out, wrapped: syntax === IMPLICIT_VR_LE ? 'bare data set, implicit VR little endian' : 'bare data set, explicit VR little endian' };
}
