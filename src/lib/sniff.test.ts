import { readFileSync } from 'node:fs';
import { nonCtFile } from '../../testkit/datasets';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS } from '../config/limits';
import { FileRefusal } from './file-refusal';
import { sniffFile } from './sniff';

const sniffBytes = (name: string, b: Uint8Array) => sniffFile(name, b.length, b.subarray(0, 64 * 1024), b.subarray(Math.max(0, b.length - 2)));
const refusal = (f: () => unknown): FileRefusal => {
  try {
    f();
  } catch (e) {
    if (e instanceof FileRefusal) return e;
    throw e;
  }
  throw new Error('expected a FileRefusal');
};

describe('sniffFile', () => {
  it('reads PNG, JPEG, WebP, GIF and BMP dimensions from the header', async () => {
    const raw = sharp({ create: { width: 37, height: 21, channels: 3, background: '#808080' } });
    for (const [fmt, kind] of [['png', 'png'], ['jpeg', 'jpeg'], ['webp', 'webp'], ['gif', 'gif']] as const) {
      const buf = new Uint8Array(await raw.clone().toFormat(fmt).toBuffer());
      expect(sniffBytes(`x.${fmt}`, buf)).toEqual({ kind, width: 37, height: 21 });
    }
    // BMP by hand: sharp cannot write it. 14-byte file header + 40-byte info header, 2×3, 24-bit.
    const bmp = new Uint8Array(54 + 3 * 8);
    const dv = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    dv.setUint32(2, bmp.length, true);
    dv.setUint32(10, 54, true);
    dv.setUint32(14, 40, true);
    dv.setInt32(18, 2, true);
    dv.setInt32(22, -3, true);
    expect(sniffBytes('x.bmp', bmp)).toEqual({ kind: 'bmp', width: 2, height: 3 });
  });

  it('refuses an empty file, naming it', () => {
    const e = refusal(() => sniffBytes('empty.png', new Uint8Array(0)));
    expect(e.message).toBe('empty.png: empty file (0 bytes)');
    expect(e.status).toBe('error');
  });

  it('says what a renamed PDF or TIFF really is', () => {
    expect(refusal(() => sniffBytes('scan.png', new TextEncoder().encode('%PDF-1.7\n%…'))).message).toMatch(/scan\.png: unsupported file: this is a PDF document/);
    const tif = readFileSync(nonCtFile('edge-cases/chessboard_GRAY_U16.tif'));
    expect(refusal(() => sniffBytes('c.tif', tif)).message).toMatch(/TIFF is not supported/);
  });

  it('refuses the truncated JPEG in the non-CT set before decoding', () => {
    const buf = readFileSync(nonCtFile('edge-cases/truncated.jpg'));
    expect(refusal(() => sniffBytes('truncated.jpg', buf)).message).toMatch(/truncated JPEG/);
  });

  it('refuses a 12000×12000 PNG from its header, as "refused" with the size', async () => {
    // Only the header matters; sharp writes a real (highly compressible) image.
    const buf = new Uint8Array(await sharp({ create: { width: 12000, height: 12000, channels: 3, background: "#000" } }).png({ compressionLevel: 1 }).toBuffer());
    const e = refusal(() => sniffBytes('huge.png', buf));
    expect(e.status).toBe('refused');
    expect(e.message).toContain('12000×12000');
    expect(e.message).toContain(`${MAX_IMAGE_PIXELS / 1e6} MP`);
  });

  it('recognises DICOM by content, whatever the name', () => {
    const b = new Uint8Array(200);
    b.set(new TextEncoder().encode('DICM'), 128);
    expect(sniffBytes('slice-without-extension', b)).toEqual({ kind: 'dicom' });
  });

  it('accepts every photo in the non-CT set as an image (they are refused later, by the OOD score)', () => {
    for (const f of ['dog.jpg', 'camera.png', 'text.png']) {
      const buf = readFileSync(nonCtFile(`photos/${f}`));
      expect(['png', 'jpeg']).toContain(sniffBytes(f, buf).kind);
    }
  });
});
