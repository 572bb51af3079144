import { describe, expect, it } from 'vitest';
import { FileRefusal } from './file-refusal';
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, imageSizeRefusal } from './image-limits';
import { normaliseSource, NO_PREPROCESS, type PreprocessSpec } from './source-normalise';

const ON: PreprocessSpec = { bodyCrop: true, intensity: 'body-equalize' };

describe('the pixel budget', () => {
  it('lets through what fits, padded square included', () => {
    expect(imageSizeRefusal('a.png', 512, 512)).toBeNull();
    expect(imageSizeRefusal('a.png', MAX_IMAGE_SIDE, MAX_IMAGE_SIDE)).toBeNull();
    expect(MAX_IMAGE_SIDE ** 2).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
    expect((MAX_IMAGE_SIDE + 1) ** 2).toBeGreaterThan(MAX_IMAGE_PIXELS);
  });

  it('refuses each way past it with its own code, naming the file', () => {
    expect(imageSizeRefusal('big.png', 8000, 8000)).toMatchObject({ code: 'too-many-pixels', status: 'refused' });
    // 12 MP, under the pixel limit, but its padded square is 400 MP.
    const thin = imageSizeRefusal('thin.png', 20000, 600)!;
    expect(thin).toBeInstanceOf(FileRefusal);
    expect(thin).toMatchObject({ code: 'aspect-ratio', status: 'refused' });
    expect(thin.message).toMatch(/^thin\.png: image too long for the model: 20000×600 pixels is padded to a 20000×20000 square \(400 MP\)/);
    expect(imageSizeRefusal('tall.png', 10, MAX_IMAGE_SIDE + 1)?.code).toBe('aspect-ratio');
    expect(imageSizeRefusal('zero.png', 0, 10)?.code).toBe('malformed');
  });
});

describe('normaliseSource keeps the budget itself', () => {
  it('refuses a thin frame before padding it to a square (20000×600 would pad to 1.2 GB of RGB)', () => {
    const w = 20000;
    const h = 600;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 200; y < 400; y++) rgb.fill(200, (y * w + 100) * 3, (y * w + w - 100) * 3); // a long bright band: the "body"
    let thrown: unknown;
    try {
      normaliseSource({ rgb, width: w, height: h }, ON, 'thin.png');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FileRefusal);
    expect((thrown as FileRefusal).code).toBe('aspect-ratio');
    expect((thrown as FileRefusal).message).toMatch(/^thin\.png: /);
  });

  it('still pads a frame within the budget, and leaves frames alone without a spec', () => {
    const w = MAX_IMAGE_SIDE;
    const h = 40;
    const rgb = new Uint8Array(w * h * 3).fill(180);
    const out = normaliseSource({ rgb, width: w, height: h }, ON);
    expect(out.width).toBe(out.height);
    expect(out.width * out.height).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
    const thin = new Uint8Array(20000 * 10 * 3);
    expect(normaliseSource({ rgb: thin, width: 20000, height: 10 }, NO_PREPROCESS).rgb).toBe(thin);
  });
});
