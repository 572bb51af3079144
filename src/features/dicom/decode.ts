/**
 * DICOM CT → the contract's grey pixels: stored values → Hounsfield units (RescaleSlope,
 * RescaleIntercept) → lung window → 0..255. Every frame of a multi-frame file becomes a slice.
 */
import dcmjs from 'dcmjs';
import type { DecodedPixels } from '@respidetect/contract';
import { FileRefusal } from '../inference/sniff';
import { NATIVE_SYNTAXES, syntaxName } from './transfer-syntax';

export interface Window {
  width: number;
  level: number;
}

/** Where a file sits in its series: single-slice files of one series are summarised together. */
export interface SeriesPosition {
  /** SeriesInstanceUID. */
  uid: string;
  /** InstanceNumber, when present. */
  instance: number | null;
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

/** Hounsfield units → 8-bit grey through a window (DICOM PS3.3 C.11.2.1.2, linear). */
export function windowToByte(hu: number, w: Window): number {
  const lo = w.level - w.width / 2;
  const v = ((hu - lo) / w.width) * 255;
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

export function decodeDicom(name: string, buffer: ArrayBuffer, window: Window): DicomImage {
  let dict;
  try {
    dict = dcmjs.data.DicomMessage.readFile(buffer);
  } catch (e) {
    throw new FileRefusal(`${name}: not a readable DICOM file (${e instanceof Error ? e.message : String(e)})`);
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
  return { width: cols, height: rows, slices, ...(uid ? { series: { uid, instance: Number.isFinite(instance) ? instance : null } } : {}) };
}
