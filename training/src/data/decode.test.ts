import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { toRgb } from '@respidetect/contract';
import { jpeg, png } from '../../../testkit/images/fixtures';
import { lateSofJpeg, thinPng } from '../../../testkit/hostile/raster';
import { checkDecodable, decodeImage, DecodeError, extensionMismatch, sniffFormat } from './decode';

const ramp = (n: number, step: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * step) % 256));

describe('sniffFormat', () => {
  it('recognises formats by content, whatever the name says', async () => {
    expect(sniffFormat(await png(1))).toBe('png');
    expect(sniffFormat(await jpeg(1))).toBe('jpeg');
    const webp = await sharp(ramp(48, 5), { raw: { width: 4, height: 4, channels: 3 } }).webp().toBuffer();
    expect(sniffFormat(webp)).toBe('webp');
    expect(sniffFormat(Buffer.from('BM\x00\x00'))).toBe('bmp');
    expect(sniffFormat(Buffer.from('<html>'))).toBeNull();
    expect(extensionMismatch('train/normal/n7.png', 'jpeg')).toBe(true);
    expect(extensionMismatch('a/b.JPG', 'jpeg')).toBe(false);
  });
});

describe('decodeImage', () => {
  it('turns 16-bit RGB and 16-bit grey into the same 8-bit values', async () => {
    const rgb = ramp(4 * 2 * 3, 30);
    const rgb16 = await sharp(rgb, { raw: { width: 4, height: 2, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    const d = await decodeImage(rgb16, 'rgb16.png');
    expect(d.channels).toBe(3);
    expect(Array.from(toRgb(d))).toEqual(Array.from(rgb));

    const grey = ramp(8, 30);
    const grey16 = await sharp(grey, { raw: { width: 4, height: 2, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const g = toRgb(await decodeImage(grey16, 'grey16.png'));
    expect(Array.from(g)).toEqual(Array.from(grey).flatMap((v) => [v, v, v]));
  });

  it('expands palette and greyscale images to their colours, and keeps alpha for toRgb', async () => {
    const rgb = ramp(4 * 2 * 3, 30);
    const pal = await sharp(rgb, { raw: { width: 4, height: 2, channels: 3 } }).png({ palette: true, colours: 256, dither: 0 }).toBuffer();
    expect((await sharp(pal).metadata()).isPalette).toBe(true);
    expect(Array.from(toRgb(await decodeImage(pal, 'pal.png')))).toEqual(Array.from(rgb));

    const rgba = Buffer.from([200, 100, 50, 255, 200, 100, 50, 0]);
    const d = await decodeImage(await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer(), 'rgba.png');
    expect(d.channels).toBe(4);
    // Transparent pixels end up black, as a browser canvas gives them.
    expect(Array.from(toRgb(d))).toEqual([200, 100, 50, 0, 0, 0]);
  });

  it('names the file and the problem for empty, non-image, unsupported, corrupt and truncated files', async () => {
    const reason = async (name: string, bytes: Buffer) => {
      try {
        checkDecodable(name, bytes);
        await decodeImage(bytes, name);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        expect((err as Error).message).toContain(name);
        return (err as DecodeError).reason;
      }
      return 'decoded';
    };
    const good = await png(3, 128);
    const corrupt = Buffer.from(good);
    corrupt.fill(0x55, 60, corrupt.length - 20);
    expect(await reason('empty.png', Buffer.alloc(0))).toBe('empty file (0 bytes)');
    expect(await reason('notes.png', Buffer.from('just some text'))).toMatch(/^not an image \(unrecognised leading bytes: 6a 75 73 74/);
    expect(await reason('old.bmp', Buffer.from('BM6\x00\x00\x00\x00\x00'))).toBe('BMP images are not supported');
    expect(await reason('corrupt.png', corrupt)).toMatch(/^cannot decode: /);
    expect(await reason('truncated.png', good.subarray(0, Math.floor(good.length / 2)))).toMatch(/^cannot decode: /);
    expect(await reason('truncated.jpg', (await jpeg(3, 128)).subarray(0, 400))).toMatch(/^cannot decode: /);
    expect(await reason('fine.png', good)).toBe('decoded');
  });

  it("keeps the contract's pixel budget, with typed refusals: too many pixels (wherever the JPEG header is) and too thin to pad", async () => {
    const refused = async (name: string, bytes: Uint8Array) => {
      try {
        await decodeImage(Buffer.from(bytes), name);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
        return { code: (err as DecodeError).code, reason: (err as DecodeError).reason };
      }
      return 'decoded';
    };
    // 49 MP: under sharp's own default limit (268 MP), so only the budget refuses it.
    const big = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#333' } }).png({ compressionLevel: 1 }).toBuffer();
    expect(await refused('big.png', big)).toEqual({ code: 'too-many-pixels', reason: expect.stringMatching(/7000×7000 pixels .*the limit is 40 MP/) as unknown });
    expect(await refused('late.jpg', lateSofJpeg(7000))).toMatchObject({ code: 'too-many-pixels' });
    expect(await refused('thin.png', await thinPng(20000, 600))).toMatchObject({ code: 'aspect-ratio', reason: expect.stringMatching(/^image too long for the model: 20000×600/) as unknown });
    expect(await refused('empty.png', new Uint8Array(0))).toMatchObject({ code: 'empty' });
  }, 30_000);
});
