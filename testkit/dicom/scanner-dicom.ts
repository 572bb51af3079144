/**
 * DICOM bytes as scanners write them, built by hand from PS3.5 (not by dcmjs, so the reader is
 * tested against another writer): a bare data set — no preamble, no file meta — in implicit or
 * explicit VR little endian, with two Window Center/Width values and Rescale Slope/Intercept.
 */
import { concat } from '../bytes';
export type El = [group: number, element: number, vr: string, value: Uint8Array];
/** Value encodings (PS3.5 6.2: text padded with a space, UIDs with NUL, to even length; US little endian). */
export const text = (s: string): Uint8Array => Uint8Array.from(s.length % 2 ? s + ' ' : s, (c) => c.charCodeAt(0));
export const uid = (s: string): Uint8Array => Uint8Array.from(s.length % 2 ? s + '\0' : s, (c) => c.charCodeAt(0));
export const us = (v: number): Uint8Array => new Uint8Array(new Uint16Array([v]).buffer);

/** Little-endian elements, sorted by tag; implicit VR: tag + 32-bit length; explicit: tag + VR + 16/32-bit length. */
export function dataset(elements: El[], explicit: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [g, e, vr, value] of [...elements].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
    const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
    const head = new Uint8Array(explicit ? (long ? 12 : 8) : 8);
    const v = new DataView(head.buffer);
    v.setUint16(0, g, true);
    v.setUint16(2, e, true);
    if (!explicit) v.setUint32(4, value.length, true);
    else {
      head[4] = vr.charCodeAt(0);
      head[5] = vr.charCodeAt(1);
      if (long) v.setUint32(8, value.length, true);
      else v.setUint16(6, value.length, true);
    }
    parts.push(head, value);
  }
  return concat(parts);
}

/** A CT slice (4×4 unless width/height are given): stored = (HU − intercept) / slope, signed 16-bit. */
export function ctSlice(opts: { hu: number[]; width?: number; height?: number; slope?: number; intercept?: number; series?: string; instance?: number; ipp?: string; explicit?: boolean; modality?: string }): Uint8Array {
  const slope = opts.slope ?? 1;
  const intercept = opts.intercept ?? -1024;
  if (opts.hu.length !== (opts.width ?? 4) * (opts.height ?? 4)) throw new Error(`ctSlice: ${opts.hu.length} HU values do not fill ${opts.width ?? 4}×${opts.height ?? 4}`);
  const stored = new Int16Array(opts.hu.map((h) => Math.round((h - intercept) / slope)));
  const els: El[] = [
    [0x0008, 0x0016, 'UI', uid('1.2.840.10008.5.1.4.1.1.2')],
    [0x0008, 0x0060, 'CS', text(opts.modality ?? 'CT')],
    [0x0020, 0x000e, 'UI', uid(opts.series ?? '1.2.3.4')],
    [0x0020, 0x0013, 'IS', text(String(opts.instance ?? 1))],
    [0x0020, 0x0037, 'DS', text('1\\0\\0\\0\\1\\0')],
    [0x0028, 0x0002, 'US', us(1)],
    [0x0028, 0x0004, 'CS', text('MONOCHROME2')],
    [0x0028, 0x0010, 'US', us(opts.height ?? 4)],
    [0x0028, 0x0011, 'US', us(opts.width ?? 4)],
    [0x0028, 0x0100, 'US', us(16)],
    [0x0028, 0x0101, 'US', us(12)],
    [0x0028, 0x0102, 'US', us(11)],
    [0x0028, 0x0103, 'US', us(1)],
    // Two windows, as scanners write them (mediastinum, lung): several values, backslash-separated.
    [0x0028, 0x1050, 'DS', text('40\\-600')],
    [0x0028, 0x1051, 'DS', text('400\\1500')],
    [0x0028, 0x1052, 'DS', text(String(intercept))],
    [0x0028, 0x1053, 'DS', text(String(slope))],
    [0x7fe0, 0x0010, 'OW', new Uint8Array(stored.buffer)],
  ];
  if (opts.ipp) els.push([0x0020, 0x0032, 'DS', text(opts.ipp)]);
  return dataset(els, opts.explicit ?? false);
}

