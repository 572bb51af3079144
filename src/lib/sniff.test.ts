import { readFileSync } from 'node:fs';
import { nonCtFile } from '../../testkit/datasets';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS } from '../config/limits';
import { FileRefusal } from './file-refusal';
import { lateSofJpeg, sofOffset, thinPng } from '../../testkit/hostile/raster';
import { MAX_HEADER_STEPS } from './raster-frame-size';
import { sniffBlob, sniffFile } from './sniff';

const sniffBytes = (name: string, b: Uint8Array) => sniffFile(name, b.length, b.subarray(0, 64 * 1024), b.subarray(Math.max(0, b.length - 2)));
const refusalOf = async (p: Promise<unknown>): Promise<FileRefusal> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof FileRefusal) return e;
    throw e;
  }
  throw new Error('expected a FileRefusal');
};
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
      expect(await sniffBlob(`x.${fmt}`, new Blob([buf]))).toEqual({ kind, width: 37, height: 21 });
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
    expect(e.code).toBe('empty');
  });

  it('says what a renamed PDF or TIFF really is', () => {
    const pdf = refusal(() => sniffBytes('scan.png', new TextEncoder().encode('%PDF-1.7\n%…')));
    expect(pdf.message).toMatch(/scan\.png: unsupported file: this is a PDF document/);
    expect(pdf.code).toBe('unsupported-format');
    const tif = readFileSync(nonCtFile('edge-cases/chessboard_GRAY_U16.tif'));
    expect(refusal(() => sniffBytes('c.tif', tif)).message).toMatch(/TIFF is not supported/);
  });

  it('refuses the truncated JPEG in the non-CT set before decoding', () => {
    const buf = readFileSync(nonCtFile('edge-cases/truncated.jpg'));
    expect(refusal(() => sniffBytes('truncated.jpg', buf))).toMatchObject({ code: 'malformed', message: expect.stringMatching(/truncated JPEG/) as unknown });
  });

  it('refuses a 12000×12000 PNG from its header, as "refused" with the size', async () => {
    // Only the header matters; sharp writes a real (highly compressible) image.
    const buf = new Uint8Array(await sharp({ create: { width: 12000, height: 12000, channels: 3, background: "#000" } }).png({ compressionLevel: 1 }).toBuffer());
    const e = refusal(() => sniffBytes('huge.png', buf));
    expect(e.status).toBe('refused');
    expect(e.code).toBe('too-many-pixels');
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

  it('refuses a thin PNG (12 MP, but 400 MP once padded to a square) from its header, as aspect-ratio', async () => {
    const e = refusal(() => sniffBytes('thin.png', thinPng20000));
    expect(e).toMatchObject({ status: 'refused', code: 'aspect-ratio' });
    expect(e.message).toMatch(/^thin\.png: image too long for the model: 20000×600 pixels/);
  });

  it('refuses a PNG whose first chunk is not IHDR (its size would be unchecked)', () => {
    const b = new Uint8Array(64);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    b.set(new TextEncoder().encode('tEXt'), 12);
    expect(refusal(() => sniffBytes('x.png', b))).toMatchObject({ code: 'malformed', details: 'the first chunk is not IHDR' });
  });

  it('reads a BMP core (OS/2) header, and refuses a WebP with no size chunk', () => {
    const bmp = new Uint8Array(26 + 6);
    const dv = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    dv.setUint32(14, 12, true);
    dv.setUint16(18, 30000, true);
    dv.setUint16(20, 2000, true);
    expect(refusal(() => sniffBytes('os2.bmp', bmp)).code).toBe('too-many-pixels');
    const webp = new Uint8Array(40);
    webp.set(new TextEncoder().encode('RIFF\0\0\0\0WEBPJUNK'));
    expect(refusal(() => sniffBytes('x.webp', webp)).code).toBe('malformed');
  });
});

// Generated once: the thin PNG and the late-SOF JPEG (a 7000×7000 baseline JPEG, 49 MP, with a 64 KiB comment before its SOF).
let thinPng20000: Uint8Array<ArrayBuffer>;
let lateSof: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  thinPng20000 = await thinPng(20000, 600);
  lateSof = lateSofJpeg(7000);
}, 30_000);

describe('sniffBlob: the frame size wherever the header is', () => {
  it('finds a JPEG SOF past the first 64 KiB and refuses the 49 MP frame it declares', async () => {
    expect(sofOffset(lateSof)).toBeGreaterThan(64 * 1024);
    const e = await refusalOf(sniffBlob('late.jpg', new Blob([lateSof])));
    expect(e).toMatchObject({ status: 'refused', code: 'too-many-pixels' });
    expect(e.message).toContain('7000×7000');
  });

  it('reads a late SOF within the limit as the decoder will', async () => {
    const small = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#444' } }).jpeg().toBuffer();
    const com = new Uint8Array(4 + 65533);
    com.set([0xff, 0xfe, 0xff, 0xff]);
    const late = new Uint8Array([...small.subarray(0, 2), ...com, ...small.subarray(2)]);
    expect(await sniffBlob('late-ok.jpg', new Blob([late]))).toEqual({ kind: 'jpeg', width: 300, height: 200 });
  });

  it('refuses a JPEG with no frame header at all, and one of endless empty segments, as malformed', async () => {
    const noSof = new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x41, 0x42, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]);
    expect(await refusalOf(sniffBlob('nosof.jpg', new Blob([noSof])))).toMatchObject({ code: 'malformed', details: expect.stringMatching(/scan before any frame header/) as unknown });
    const n = MAX_HEADER_STEPS + 10;
    const endless = new Uint8Array(2 + 4 * n + 2);
    endless.set([0xff, 0xd8]);
    for (let i = 0; i < n; i++) endless.set([0xff, 0xfe, 0x00, 0x02], 2 + 4 * i);
    endless.set([0xff, 0xd9], endless.length - 2);
    expect(await refusalOf(sniffBlob('endless.jpg', new Blob([endless])))).toMatchObject({ code: 'malformed' });
  });

  it('grows a GIF to its first image where that reaches past the logical screen, past a 64 KiB comment', async () => {
    // Header (1×1 screen, no colour table), a comment extension of 300 sub-blocks, then an image of 9000×9000.
    const parts: number[] = [...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0, 0, 0, 0, 0x21, 0xfe];
    for (let i = 0; i < 300; i++) parts.push(255, ...new Array<number>(255).fill(0x41));
    parts.push(0, 0x2c, 0, 0, 0, 0, 0x28, 0x23, 0x28, 0x23, 0, 0x3b);
    const gif = new Uint8Array(parts);
    expect(gif.length).toBeGreaterThan(64 * 1024);
    expect(await refusalOf(sniffBlob('wide.gif', new Blob([gif])))).toMatchObject({ code: 'too-many-pixels' });
  });
});
