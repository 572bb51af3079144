import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocessOf } from './metadata';
import { CAFFE_MEANS_BGR, normalizeCaffe, prepareInput, rgbToInput, toRgb } from './preprocess';
import { NO_PREPROCESS, normaliseSource } from './source-normalise';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pixel preparation (the contract both sides run)', () => {
  it('expands grey, drops opaque alpha, composites transparent pixels over black', () => {
    expect(Array.from(toRgb({ data: Uint8Array.from([10, 200]), width: 2, height: 1, channels: 1 }))).toEqual([10, 10, 10, 200, 200, 200]);
    expect(Array.from(toRgb({ data: Uint8Array.from([10, 255, 200, 51]), width: 2, height: 1, channels: 2 }))).toEqual([10, 10, 10, 40, 40, 40]);
    expect(Array.from(toRgb({ data: Uint8Array.from([1, 2, 3, 255, 100, 150, 200, 0]), width: 2, height: 1, channels: 4 }))).toEqual([1, 2, 3, 0, 0, 0]);
    expect(Array.from(toRgb({ data: Uint8Array.from([1, 2, 3]), width: 1, height: 1, channels: 3 }))).toEqual([1, 2, 3]);
  });

  it('refuses a buffer that does not match its declared size', () => {
    expect(() => toRgb({ data: new Uint8Array(5), width: 2, height: 1, channels: 3 })).toThrow(/5 bytes do not fit 2x1x3/);
    expect(() => toRgb({ data: new Uint8Array(0), width: 0, height: 1, channels: 3 })).toThrow(/bad image size/);
  });

  it('produces [1, size, size, 3] float32 in 0..255, with half-pixel-centre bilinear resizing', () => {
    // A 2×1 image (black, white) upsampled to 4 wide: half-pixel centres give 0, 64, 191, 255.
    const t = rgbToInput(tf, Uint8Array.from([0, 0, 0, 255, 255, 255]), 2, 1, 4);
    expect(t.shape).toEqual([1, 4, 4, 3]);
    expect(t.dtype).toBe('float32');
    const row = Array.from(t.dataSync().slice(0, 12)).filter((_, i) => i % 3 === 0);
    expect(row.map(Math.round)).toEqual([0, 64, 191, 255]);
    t.dispose();
  });

  it('a constant image stays constant at any size, whatever its layout', () => {
    const rgba = new Uint8Array(7 * 5 * 4).fill(77);
    const t = prepareInput(tf, { data: rgba.map((v, i) => (i % 4 === 3 ? 255 : v)), width: 7, height: 5, channels: 4 }, 16);
    const v = t.dataSync();
    expect(Math.min(...v)).toBeCloseTo(77, 4);
    expect(Math.max(...v)).toBeCloseTo(77, 4);
    t.dispose();
  });

  it('caffe normalisation: RGB → BGR, minus the ImageNet means', () => {
    const x = tf.tensor4d([10, 20, 30], [1, 1, 1, 3]);
    const y = normalizeCaffe(tf, x).dataSync();
    expect(Array.from(y)).toEqual([30 - CAFFE_MEANS_BGR[0], 20 - CAFFE_MEANS_BGR[1], 10 - CAFFE_MEANS_BGR[2]].map((v) => Math.fround(v)));
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const t = prepareInput(tf, { data: new Uint8Array(3 * 3 * 3).fill(9), width: 3, height: 3, channels: 3 }, 8);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a model whose metadata predates preprocess gets the raw frame, exactly as before; a spec is replayed before the resize', () => {
    // A 20×12 frame: a bright 8×6 body off-centre on black, so the crop changes what is resized.
    const data = new Uint8Array(20 * 12).map((_, i) => {
      const x = i % 20;
      const y = Math.floor(i / 20);
      return x >= 3 && x < 11 && y >= 4 && y < 10 ? 100 + ((x * 7 + y * 13) % 90) : 0;
    });
    const px = { data, width: 20, height: 12, channels: 1 as const };
    const legacy = prepareInput(tf, px, 16);
    const explicit = prepareInput(tf, px, 16, preprocessOf({}));
    expect(preprocessOf({})).toBe(NO_PREPROCESS);
    expect(Array.from(explicit.dataSync())).toEqual(Array.from(legacy.dataSync()));
    expect(Array.from(legacy.dataSync())).toEqual(Array.from(rgbToInput(tf, toRgb(px), 20, 12, 16).dataSync()));
    const spec = { bodyCrop: true, intensity: 'body-equalize' } as const;
    const on = prepareInput(tf, px, 16, spec);
    const norm = normaliseSource({ rgb: toRgb(px), width: 20, height: 12 }, spec);
    expect([norm.width, norm.height]).toEqual([8, 8]);
    expect(Array.from(on.dataSync())).toEqual(Array.from(rgbToInput(tf, norm.rgb, 8, 8, 16).dataSync()));
    tf.dispose([legacy, explicit, on]);
  });
});
