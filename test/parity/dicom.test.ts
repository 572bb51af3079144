/**
 * Parity: the browser's worker and training's `validate` read one DICOM file to the same pixels, and
 * refuse the same files for the same reason, because both call the contract's decodeDicom with the
 * contract's lung window. Before, validate borrowed the app's reader through a lint exception; this
 * test fails if either side gets a reader or a window of its own.
 */
import { describe, expect, it } from 'vitest';
import { writeDicom } from '../../testkit/dicom/dicom';
import { ctSlice } from '../../testkit/dicom/scanner-dicom';
import { DEFAULT_LUNG_WINDOW } from '../../src/config/limits';
import { decodeDicom } from '../../src/features/dicom/decode';
import { decodeFile } from '../../training/src/data/decode-file';

const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
/** Greys that span the whole window, so a different window or rescale would change many of them. */
const frame = (seed: number) => Uint8Array.from({ length: 24 * 16 }, (_, i) => (i * 37 + seed * 101) % 256);

describe('one DICOM reading: browser worker and training validate', () => {
  it('give the same pixels for every frame of a multi-frame CT with a non-trivial rescale', async () => {
    const file = writeDicom({ frames: [frame(1), frame(2), frame(3)], width: 24, height: 16, slope: 0.5, intercept: -2048 });
    const browser = decodeDicom('ct.dcm', ab(file), DEFAULT_LUNG_WINDOW).slices;
    const node = await decodeFile('ct.dcm', file);
    expect(node).toHaveLength(3);
    expect(node.map((s) => ({ ...s, data: Array.from(s.data) }))).toEqual(browser.map((s) => ({ ...s, data: Array.from(s.data) })));
    // Not a trivial agreement: the frames differ from one another and use the whole grey range.
    expect(new Set(node[0]!.data).size).toBeGreaterThan(200);
  });

  it('read a bare data set as scanners write it (no preamble, implicit VR) to the same pixels', async () => {
    const hu = Array.from({ length: 16 }, (_, i) => -1300 + i * 90);
    const bytes = Buffer.from(ctSlice({ hu, width: 4, height: 4, slope: 0.5, intercept: -2048 }));
    const browser = decodeDicom('IM0001', ab(bytes), DEFAULT_LUNG_WINDOW).slices;
    const node = await decodeFile('IM0001', bytes);
    expect(node.map((s) => Array.from(s.data))).toEqual(browser.map((s) => Array.from(s.data)));
    expect(new Set(node[0]!.data).size).toBe(16);
  });

  it('refuse a non-CT file with the same reason', async () => {
    const file = writeDicom({ frames: [frame(1)], width: 24, height: 16, modality: 'MR' });
    let browserReason = '';
    try {
      decodeDicom('mr.dcm', ab(file), DEFAULT_LUNG_WINDOW);
    } catch (e) {
      browserReason = (e as Error).message.replace('mr.dcm: ', '');
    }
    expect(browserReason).toMatch(/Modality is "MR", not CT/);
    await expect(decodeFile('mr.dcm', file)).rejects.toThrow(browserReason);
  });
});
