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
import { FileRefusal, thrownText, type RefusalCode } from '../file-refusal';
import { imageSizeRefusal, MAX_IMAGE_PIXELS } from '../image-limits';
import type { DecodedPixels } from '../preprocess';
import { DEFLATED_VR_LE, inflatePart10 } from './inflate';
import { DICOM_TIME_BUDGET_MS, MAX_DICOM_ELEMENTS, MAX_DICOM_ITEM_SEARCH_BYTES, MAX_DICOM_FRAMES, MAX_DICOM_PIXELS, MAX_DICOM_SEQUENCE_DEPTH } from './limits';
import { asPart10 } from './part10';
import { itemBracketDepth, readFileMeta, scanStructure } from './structure';
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

const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
const EXPLICIT_VR_BE = '1.2.840.10008.1.2.2';

/** A header value for a user's sentence: a number or a short text as it is, anything else (bytes, a sequence) said so. */
function shown(v: unknown): string {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null || x === '') return 'missing';
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 24 ? `${x.slice(0, 24)}…` : x);
  return 'not a number';
}

/** Rows, Columns and NumberOfFrames must be whole numbers (US and IS): "2.5" rows cannot be laid out. */
function count(name: string, field: string, v: unknown, fallback: number, max: number): number {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return fallback;
  const x = Array.isArray(v) ? Number(v[0]) : typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isInteger(x) || x < 1 || x > max) throw refuse(name, `DICOM ${field} is ${shown(v)}, not a whole number from 1 to ${max}`, 'malformed');
  return x;
}

/**
 * The backstop on time: the limits above bound each step's work (the fuzz's slowest file takes
 * ~0.2 s), so a file still reading after DICOM_TIME_BUDGET_MS is refused between steps and frames
 * rather than left to run on.
 */
function deadline(name: string): () => void {
  const end = Date.now() + DICOM_TIME_BUDGET_MS;
  return () => {
    if (Date.now() > end) throw refuse(name, `reading this DICOM file took longer than ${DICOM_TIME_BUDGET_MS / 1000} s, the limit for one file`, 'time-limit');
  };
}

/** A refusal naming the file: 'error' for broken bytes, 'refused' for readable files past a limit or not for us. */
const refuse = (name: string, message: string, code: RefusalCode, details?: string): FileRefusal =>
  new FileRefusal(`${name}: ${message}`, code === 'malformed' ? 'error' : 'refused', { code, ...(details !== undefined ? { details } : {}) });

/**
 * The structure check before dcmjs parses: sequences no deeper than MAX_DICOM_SEQUENCE_DEPTH and no
 * more than MAX_DICOM_ELEMENTS elements (dcmjs recurses per level and parses every element).
 */
function checkStructure(name: string, b: Uint8Array, start: number, explicit: boolean): void {
  const s = scanStructure(b, start, { explicit, maxDepth: MAX_DICOM_SEQUENCE_DEPTH, maxElements: MAX_DICOM_ELEMENTS, maxItemBytes: MAX_DICOM_ITEM_SEARCH_BYTES });
  const nested = (where: string) => refuse(name, `DICOM sequences are nested deeper than ${MAX_DICOM_SEQUENCE_DEPTH} levels, the limit (real files nest a few levels)`, 'nesting-limit', where);
  if (s.stopped === 'depth') throw nested(`at byte ${s.end}`);
  if (s.stopped === 'elements')
    throw refuse(name, `DICOM data set has more than ${MAX_DICOM_ELEMENTS} elements, the limit for one file`, 'element-limit', `at byte ${s.end}`);
  if (s.stopped === 'item-bytes')
    throw refuse(
      name,
      `DICOM nested items would take too long to read: finding their ends means searching more than ${MAX_DICOM_ITEM_SEARCH_BYTES / 2 ** 20} MiB, the limit`,
      'nesting-limit',
      `${s.itemBytes} bytes in undefined-length items, counted per nesting level`,
    );
  // Structure the walk cannot follow is refused too: dcmjs would read on from a point the walk never checked.
  if (s.stopped !== null) throw refuse(name, 'not a readable DICOM file: its sequences and items do not nest properly', 'malformed', `${s.stopped} at byte ${s.end}`);
  // dcmjs finds the end of an undefined-length item by searching the bytes; bound that nesting too.
  if (itemBracketDepth(b, start, MAX_DICOM_SEQUENCE_DEPTH) > MAX_DICOM_SEQUENCE_DEPTH) throw nested('item start and end markers in the bytes nest that deep');
}

/** Part 10 bytes that dcmjs may parse: meta group read, structure checked, a deflated data set inflated within its limit. */
function parseable(name: string, buffer: ArrayBuffer): { bytes: Uint8Array; syntax: string; wrapped: string | null } {
  const part10 = asPart10(new Uint8Array(buffer));
  if (!part10) throw refuse(name, 'not a readable DICOM file (neither a Part 10 file with "DICM" at byte 128 nor a bare data set)', 'unsupported-format');
  const as = part10.wrapped ? ` (read as a ${part10.wrapped})` : '';
  const meta = readFileMeta(part10.bytes);
  if (!meta) throw refuse(name, `not a readable DICOM file${as}: its file meta group is missing or damaged`, 'malformed');
  if (meta.syntax === EXPLICIT_VR_BE) throw refuse(name, `unsupported transfer syntax: ${syntaxName(meta.syntax)}`, 'unsupported-variant');
  // A deflated data set is checked once inflated (1 KB of deflate can nest 10,000 deep).
  const { bytes, start } = meta.syntax === DEFLATED_VR_LE ? inflatePart10(name, part10.bytes, meta) : { bytes: part10.bytes, start: meta.end };
  checkStructure(name, bytes, start, meta.syntax !== IMPLICIT_VR_LE);
  return { bytes, syntax: meta.syntax, wrapped: part10.wrapped };
}

export function decodeDicom(name: string, buffer: ArrayBuffer, window: HuWindow): DicomImage {
  const inTime = deadline(name);
  const part10 = parseable(name, buffer);
  inTime();
  let dict;
  try {
    const b = part10.bytes;
    dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  } catch (e) {
    // dcmjs's own text ("Offset is outside the bounds of the DataView") is for the details, not the user.
    throw refuse(name, `not a readable DICOM file${part10.wrapped ? ` (read as a ${part10.wrapped})` : ''}: its elements are damaged or cut short`, 'malformed', thrownText(e));
  }
  const syntax = part10.syntax;
  let ds: Record<string, unknown>;
  try {
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (e) {
    throw refuse(name, 'not a readable DICOM file: its elements do not match their value representations', 'malformed', thrownText(e));
  }
  inTime();
  const modality = typeof ds.Modality === 'string' ? ds.Modality : undefined;
  if (modality !== 'CT')
    throw refuse(name, `DICOM Modality is ${modality ? `"${modality}"` : 'missing'}, not CT; only CT images can be classified`, 'not-ct');
  if (!NATIVE_SYNTAXES.has(syntax)) throw refuse(name, `unsupported compression: ${syntaxName(syntax)}`, 'unsupported-variant');
  if (shown(ds.Rows) === 'missing' || shown(ds.Columns) === 'missing') throw refuse(name, `DICOM has no image size (Rows ${shown(ds.Rows)}, Columns ${shown(ds.Columns)})`, 'malformed');
  const rows = count(name, 'Rows', ds.Rows, 0, 65535);
  const cols = count(name, 'Columns', ds.Columns, 0, 65535);
  const frames = count(name, 'NumberOfFrames', ds.NumberOfFrames, 1, 2 ** 31 - 1);
  const bits = num(ds.BitsAllocated, 16);
  const signed = num(ds.PixelRepresentation, 0) === 1;
  const samples = num(ds.SamplesPerPixel, 1);
  const slope = num(ds.RescaleSlope, 1);
  const intercept = num(ds.RescaleIntercept, 0);
  if (samples !== 1) throw refuse(name, `DICOM CT with ${samples} samples per pixel is not supported (expected greyscale)`, 'unsupported-variant');
  if (bits !== 8 && bits !== 16) throw refuse(name, `DICOM BitsAllocated ${bits} is not supported (8 or 16)`, 'unsupported-variant');
  // The limits, from the header alone, before a slice is allocated.
  const n = rows * cols;
  if (frames > MAX_DICOM_FRAMES) throw refuse(name, `DICOM has ${frames} frames; the limit is ${MAX_DICOM_FRAMES} frames per file (each frame is one model run)`, 'too-many-frames');
  if (n > MAX_IMAGE_PIXELS)
    throw refuse(name, `DICOM frame too large: ${cols}×${rows} pixels (${(n / 1e6).toFixed(0)} MP); the limit is ${MAX_IMAGE_PIXELS / 1e6} MP per image`, 'too-many-pixels');
  // A frame of 65535×1 is within the pixel limit but pads to a 4 GP square in the source normalisation.
  const thin = n > 0 ? imageSizeRefusal(name, cols, rows) : null;
  if (thin) throw thin;
  if (n * frames > MAX_DICOM_PIXELS)
    throw refuse(name, `DICOM has ${frames} frames of ${cols}×${rows}: ${((n * frames) / 1e6).toFixed(0)} MP in all; the limit is ${(MAX_DICOM_PIXELS / 1e6).toFixed(0)} MP per file`, 'too-many-pixels');
  const pixelData = ds.PixelData;
  const first = Array.isArray(pixelData) ? pixelData[0] : pixelData;
  if (!(first instanceof ArrayBuffer)) throw refuse(name, 'DICOM has no pixel data', 'malformed');
  const perFrame = n * (bits / 8);
  if (first.byteLength < perFrame * frames)
    throw refuse(name, `DICOM pixel data is ${first.byteLength} bytes; ${frames} frame(s) of ${cols}×${rows}×${bits} bit need ${perFrame * frames}`, 'malformed');
  const view = new DataView(first);
  const slices: DecodedPixels[] = [];
  for (let f = 0; f < frames; f++) {
    inTime();
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
