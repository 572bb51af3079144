import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeDicom } from '../../testkit/dicom/dicom';
import { ctSlice } from '../../testkit/dicom/scanner-dicom';
import { isDicomBytes, sniffImageFormat } from './file-kind';

const raw = { raw: { width: 8, height: 8, channels: 3 as const } };
const pixels = Buffer.alloc(8 * 8 * 3, 128);

describe('file kind from the first bytes', () => {
  it('names real PNG, JPEG, WebP and GIF files, and none of them is DICOM', async () => {
    for (const [format, bytes] of [
      ['png', await sharp(pixels, raw).png().toBuffer()],
      ['jpeg', await sharp(pixels, raw).jpeg().toBuffer()],
      ['webp', await sharp(pixels, raw).webp().toBuffer()],
      ['gif', await sharp(pixels, raw).gif().toBuffer()],
    ] as const) {
      expect(sniffImageFormat(bytes), format).toBe(format);
      expect(isDicomBytes(bytes), format).toBe(false);
    }
  });

  it('a Part 10 file and a bare data set (implicit and explicit VR) are DICOM whatever their name', () => {
    const part10 = writeDicom({ frames: [new Uint8Array(16)], width: 4, height: 4 });
    expect(isDicomBytes(part10)).toBe(true);
    expect(isDicomBytes(ctSlice({ hu: new Array<number>(16).fill(-600) }))).toBe(true);
    expect(isDicomBytes(ctSlice({ hu: new Array<number>(16).fill(-600), explicit: true }))).toBe(true);
    expect(sniffImageFormat(part10)).toBeNull();
  });

  it('a PDF, text and too few bytes are neither', () => {
    for (const b of [Buffer.from('%PDF-1.7\n'.repeat(4)), Buffer.from('hello, this is plain text'), new Uint8Array(3)]) {
      expect(sniffImageFormat(b)).toBeNull();
      expect(isDicomBytes(b)).toBe(false);
    }
  });
});
