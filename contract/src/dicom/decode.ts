/**
 * DICOM CT → the contract's grey pixels: stored values → Hounsfield units (RescaleSlope,
 * RescaleIntercept) → lung window → 0..255. Every frame of a multi-frame file becomes a slice.
 * Reads Part 10 files and the bare data sets scanners write (part10.ts); the file's own Window
 * Center/Width (often several values) are not used: every slice goes through the one lung window,
 * so slices from different scanners are shown to the model alike.
 *
 * In the contract because both sides read DICOM: the app's worker and training's `validate`, which must
 * give the same Hounsfield units and the same grey pixels for one file. Bytes in, slices out; dcmjs is
 * pure JavaScript, so it runs in a page, a worker and Node alike.
 */
// dcmjs has no types of its own. The reference carries ours into every project that imports the contract
// (app, training, deploy, e2e), where an include in each tsconfig would have to be kept in step.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./dcmjs.d.ts" />
import dcmjs from 'dcmjs';
import { FileRefusal } from '../file-refusal';
import type { DecodedPixels } from '../preprocess';
import { asPart10 } from './part10';
import { NATIVE_SYNTAXES, syntaxName } from './transfer-syntax';
import { windowToByte, type HuWindow } from './window';


/** Where a file sits in its series: single-slice files of one series are summarised together. */
export interface SeriesPosition {
  /** SeriesInstanceUID. */
  uid: string;
  /** InstanceNumber, when present. */
  instance: number | null;
  /**
   * Position along the slice normal in mm: ImagePositionPatient projected on the cross product of
   * ImageOrientationPatient's row and column directions (PS3.3 C.7.6.2.1.1); null without them.
   * Series are ordered by it, since InstanceNumber need not follow anatomy.
   */
  position?: number | null;
}

export interface DicomImage {
  width: number;
  height: number;
  slices: DecodedPixels[];
  /** Absent when the file has no SeriesInstanceUID. */
  series?: SeriesPosition;
}

const num = (v: unknown, fallback: number): number => {
  const x = Array.isArray(v) ? Number(v[0]) : Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(x) ? fallback : x;
};


const numbers = (v: unknown): number[] | null => {
  const a = (Array.isArray(v) ? v : typeof v === 'string' ? v.split('\\') : []).map(Number);
  return a.length > 0 && a.every(Number.isFinite) ? a : null;
};

/** Slice position along the normal, from ImagePositionPatient and ImageOrientationPatient. */
export function slicePosition(ipp: unknown, iop: unknown): number | null {
  const p = numbers(ipp);
  const o = numbers(iop);
  if (!p || p.length !== 3) return null;
  if (!o || o.length !== 6) return p[2]!;
  const [r0, r1, r2, c0, c1, c2] = o as [number, number, number, number, number, number];
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  return p[0]! * normal[0]! + p[1]! * normal[1]! + p[2]! * normal[2]!;
}

export function decodeDicom(name: string, buffer: ArrayBuffer, window: HuWindow): DicomImage {
  const part10 = asPart10(new Uint8Array(buffer));
  if (!part10) throw new FileRefusal(`${name}: not a readable DICOM file (neither a Part 10 file with "DICM" at byte 128 nor a bare data set)`);
  let dict;
  try {
    const b = part10.bytes;
    dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  } catch (e) {
    throw new FileRefusal(`${name}: not a readable DICOM file${part10.wrapped ? ` (read as a ${part10.wrapped})` : ''} (${e instanceof Error ? e.message : String(e)})`);
  }
  const syntax = String(dict.meta['00020010']?.Value?.[0] ?? '1.2.840.10008.1.2');
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const modality = typeof ds.Modality === 'string' ? ds.Modality : undefined;
  if (modality !== 'CT')
    throw new FileRefusal(`${name}: DICOM Modality is ${modality ? `"${modality}"` : 'missing'}, not CT; only CT images can be classified`, 'refused');
  if (!NATIVE_SYNTAXES.has(syntax)) throw new FileRefusal(`${name}: unsupported compression: ${syntaxName(syntax)}`, 'refused');
  const rows = num(ds.Rows, 0);
  const cols = num(ds.Columns, 0);
  const frames = num(ds.NumberOfFrames, 1);
  const bits = num(ds.BitsAllocated, 16);
  const signed = num(ds.PixelRepresentation, 0) === 1;
  const samples = num(ds.SamplesPerPixel, 1);
  const slope = num(ds.RescaleSlope, 1);
  const intercept = num(ds.RescaleIntercept, 0);
  if (rows <= 0 || cols <= 0) throw new FileRefusal(`${name}: DICOM has no image size (Rows ${rows}, Columns ${cols})`);
  if (samples !== 1) throw new FileRefusal(`${name}: DICOM CT with ${samples} samples per pixel is not supported (expected greyscale)`);
  if (bits !== 8 && bits !== 16) throw new FileRefusal(`${name}: DICOM BitsAllocated ${bits} is not supported (8 or 16)`);
  const pixelData = ds.PixelData;
  const first = Array.isArray(pixelData) ? pixelData[0] : pixelData;
  if (!(first instanceof ArrayBuffer)) throw new FileRefusal(`${name}: DICOM has no pixel data`);
  const n = rows * cols;
  const perFrame = n * (bits / 8);
  if (first.byteLength < perFrame * frames)
    throw new FileRefusal(`${name}: DICOM pixel data is ${first.byteLength} bytes; ${frames} frame(s) of ${cols}×${rows}×${bits} bit need ${perFrame * frames}`);
  const view = new DataView(first);
  const slices: DecodedPixels[] = [];
  for (let f = 0; f < frames; f++) {
    const out = new Uint8Array(n);
    const base = f * perFrame;
    for (let i = 0; i < n; i++) {
      const stored =
        bits === 8
          ? signed ? view.getInt8(base + i) : view.getUint8(base + i)
          : signed ? view.getInt16(base + 2 * i, true) : view.getUint16(base + 2 * i, true);
      out[i] = windowToByte(stored * slope + intercept, window);
    }
    slices.push({ data: out, width: cols, height: rows, channels: 1 });
  }
  const uid = typeof ds.SeriesInstanceUID === 'string' ? ds.SeriesInstanceUID.trim() : '';
  const instance = num(ds.InstanceNumber, NaN);
  const position = slicePosition(ds.ImagePositionPatient, ds.ImageOrientationPatient);
  return { width: cols, height: rows, slices, ...(uid ? { series: { uid, instance: Number.isFinite(instance) ? instance : null, position } } : {}) };
}
