/**
 * DICOM as scanners write it, from bytes built here by hand (PS3.5), not by dcmjs: a bare data set
 * with no preamble in implicit VR little endian, the same in explicit VR, multi-valued Window
 * Center/Width, Rescale Slope/Intercept, and slices ordered by Image Position (Patient).
 */
import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '@respidetect/contract';
import type { ResultMessage } from '../../lib/worker-protocol/messages';
import { sniffFile } from '../../lib/sniff';
import type { Row } from '../classify/logic/rows';
import type { QueueItem } from '../classify/stores/queue';
import { summarizeSeries } from '../classify/logic/series';
import { decodeDicom, slicePosition, windowToByte } from './decode';
import { bareDatasetSyntax, IMPLICIT_VR_LE, EXPLICIT_VR_LE } from './part10';
import { ctSlice } from '../../../testkit/dicom/scanner-dicom';

const lung = { width: 1500, level: -600 };
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const HU = [-1000, -800, -600, -400, -200, 0, 100, 150, -1000, -900, -700, -500, -300, -100, 50, 1000];

describe('DICOM as scanners write it (bytes built by hand)', () => {
  it('a bare data set without preamble, implicit VR LE: sniffed as DICOM, decoded through slope/intercept and the lung window', () => {
    const bytes = ctSlice({ hu: HU, slope: 0.5, intercept: -2048 });
    expect(bareDatasetSyntax(bytes)).toBe(IMPLICIT_VR_LE);
    expect(sniffFile('IM000001', bytes.length, bytes.subarray(0, 65536), bytes.subarray(-2))).toEqual({ kind: 'dicom' });
    const out = decodeDicom('IM000001', ab(bytes), lung);
    expect(out).toMatchObject({ width: 4, height: 4 });
    expect(Array.from(out.slices[0]!.data)).toEqual(HU.map((h) => windowToByte(h, lung)));
  });

  it('the same as explicit VR LE, and multi-valued Window Center/Width do not disturb the fixed lung window', () => {
    const bytes = ctSlice({ hu: HU, explicit: true });
    expect(bareDatasetSyntax(bytes)).toBe(EXPLICIT_VR_LE);
    expect(Array.from(decodeDicom('slice', ab(bytes), lung).slices[0]!.data)).toEqual(HU.map((h) => windowToByte(h, lung)));
  });

  it('a bare data set of another modality is refused by name, not misread', () => {
    expect(() => decodeDicom('mr-slice', ab(ctSlice({ hu: HU, modality: 'MR' })), lung)).toThrow(/mr-slice: DICOM Modality is "MR", not CT/);
  });

  it('bytes that start like nothing DICOM stay "not DICOM"', () => {
    const junk = new TextEncoder().encode('hello, this is a text file and not an image at all');
    expect(bareDatasetSyntax(junk)).toBeNull();
    expect(() => sniffFile('notes.txt', junk.length, junk, junk.subarray(-2))).toThrow(/notes\.txt: unsupported file/);
    expect(() => decodeDicom('notes.txt', ab(junk), lung)).toThrow(/notes\.txt: not a readable DICOM file/);
  });

  it('slice position is Image Position (Patient) along the normal of Image Orientation (Patient)', () => {
    expect(slicePosition('-200\\-180\\-35.5', '1\\0\\0\\0\\1\\0')).toBeCloseTo(-35.5, 12);
    // A sagittal orientation: rows along y, columns along z → normal along x.
    expect(slicePosition('12\\-180\\-35.5', '0\\1\\0\\0\\0\\-1')).toBeCloseTo(-12, 12);
    expect(slicePosition(undefined, undefined)).toBeNull();
  });

  it('a series whose InstanceNumbers run against anatomy is ordered by position, and grouped by SeriesInstanceUID', () => {
    const meta = { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, decisionThreshold: 0.5 } as unknown as ModelMetadata;
    // Instance 1 is the most cranial (z = 30) — the scanner numbered head-first; anatomy order is by z.
    const files = [
      { name: 'b', instance: 2, z: 20, series: '1.2.3' },
      { name: 'a', instance: 1, z: 30, series: '1.2.3' },
      { name: 'c', instance: 3, z: 10, series: '1.2.3' },
      { name: 'other', instance: 1, z: 0, series: '9.9' },
      { name: 'other2', instance: 2, z: 5, series: '9.9' },
    ];
    const rows = files.map((f, i): Row => {
      const image = decodeDicom(f.name, ab(ctSlice({ hu: HU, series: f.series, instance: f.instance, ipp: `0\\0\\${f.z}` })), lung);
      const result = { type: 'result', id: f.name, sha256: '', width: 4, height: 4, probabilities: [0.1 * (i + 1), 1 - 0.1 * (i + 1)], oodScore: null, chestCt: { ok: true }, heatmap: null, source: 'dicom', ms: 1, series: image.series } as ResultMessage;
      return { id: f.name, name: f.name, status: 'done', progress: 1, className: null, probability: null, positiveProbability: 0.1 * (i + 1), uncertain: false, probabilities: null, oodScore: null, warning: null, message: null, sha256: null, item: { id: f.name, name: f.name, result } as QueueItem };
    });
    const series = summarizeSeries(rows, meta);
    expect(series.map((s) => s.uid)).toEqual(['1.2.3', '9.9']);
    expect(series[0]!.slices.map((s) => [s.file, s.position])).toEqual([['c', 10], ['b', 20], ['a', 30]]);
  });
});
