import { describe, expect, it } from 'vitest';
import { writeDicom } from '../../../testkit/dicom/dicom';
import { FileRefusal } from '../file-refusal';
import { decodeDicom } from './decode';
import { windowToByte } from './window';

const lung = { width: 1500, level: -600 };
const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const ramp = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);

describe('windowToByte', () => {
  it('maps the lung window W1500/L−600 onto 0..255', () => {
    expect(windowToByte(-1350, lung)).toBe(0);
    expect(windowToByte(-2000, lung)).toBe(0);
    expect(windowToByte(150, lung)).toBe(255);
    expect(windowToByte(-600, lung)).toBe(128);
  });
});

describe('decodeDicom (files written by dcmjs)', () => {
  it('recovers the grey image through slope/intercept and the lung window', () => {
    const grey = ramp(8 * 6);
    for (const [slope, intercept] of [[1, -1024], [0.5, -2048]] as const) {
      const out = decodeDicom('ct.dcm', ab(writeDicom({ frames: [grey], width: 8, height: 6, slope, intercept })), lung);
      expect(out).toMatchObject({ width: 8, height: 6 });
      expect(out.slices).toHaveLength(1);
      const got = out.slices[0]!.data;
      grey.forEach((g, i) => expect(Math.abs(got[i]! - g)).toBeLessThanOrEqual(1));
    }
  });

  it('returns every frame of a multi-frame CT', () => {
    const frames = [ramp(16), ramp(16).reverse(), new Uint8Array(16).fill(200)];
    const out = decodeDicom('series.dcm', ab(writeDicom({ frames, width: 4, height: 4 })), lung);
    expect(out.slices).toHaveLength(3);
    expect(Array.from(out.slices[2]!.data).every((v) => Math.abs(v - 200) <= 1)).toBe(true);
  });

  it('refuses a non-CT modality, saying which', () => {
    const buf = ab(writeDicom({ frames: [ramp(16)], width: 4, height: 4, modality: 'MR' }));
    expect(() => decodeDicom('brain.dcm', buf, lung)).toThrow(/brain\.dcm: DICOM Modality is "MR", not CT/);
  });

  it('names a compressed transfer syntax it cannot decode', () => {
    const buf = ab(writeDicom({ frames: [ramp(16)], width: 4, height: 4, transferSyntax: '1.2.840.10008.1.2.4.90' }));
    let err: unknown;
    try {
      decodeDicom('j2k.dcm', buf, lung);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileRefusal);
    expect((err as Error).message).toBe('j2k.dcm: unsupported compression: JPEG 2000 Lossless (1.2.840.10008.1.2.4.90)');
  });

  it('rejects bytes that are not DICOM with the file name', () => {
    expect(() => decodeDicom('x.dcm', new Uint8Array(300).buffer, lung)).toThrow(/x\.dcm: not a readable DICOM file/);
  });
  it('reports the series (SeriesInstanceUID, InstanceNumber) so files of one series can be summarised together', () => {
    const out = decodeDicom('s.dcm', ab(writeDicom({ frames: [ramp(4)], width: 2, height: 2, seriesUid: '1.2.826.0.1.3680043.99.1', instanceNumber: 7 })), lung);
    expect(out.series).toEqual({ uid: '1.2.826.0.1.3680043.99.1', instance: 7, position: null });
    const none = decodeDicom('n.dcm', ab(writeDicom({ frames: [ramp(4)], width: 2, height: 2 })), lung);
    expect(none.series?.instance).toBeNull();
  });
});
