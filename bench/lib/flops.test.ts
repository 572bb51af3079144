import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildVgg16Base } from '../../training/src/model/vgg16';
import { modelMacs, simd128PeakGflops } from './flops';

describe('bench arithmetic', () => {
  it('counts VGG16 base at 224 px as the published 15.35 GMAC, and scales with the pixel count', () => {
    const at = (size: number) => {
      const m = buildVgg16Base({ imageSize: size, seed: 3 });
      try {
        return modelMacs(m);
      } finally {
        m.dispose();
      }
    };
    // 13 convolutions: 15,346,630,656 MACs (Simonyan & Zisserman's 15.3 G at 224 px, conv only).
    expect(at(224)).toBe(15_346_630_656);
    expect(at(32) * 49).toBe(at(224));
  });

  it('counts a Dense layer as inputs × outputs', () => {
    const input = tf.input({ shape: [10] });
    const out = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: out });
    expect(modelMacs(m)).toBe(30);
    m.dispose();
  });

  it('states the SIMD128 peak and how it was computed', () => {
    const p = simd128PeakGflops({ cores: 2, ghz: 3, simdOpsPerCycle: 2 });
    expect(p.gflops).toBe(48);
    expect(p.formula).toContain('2 cores × 3.00 GHz × 4 f32 lanes × 2');
  });
});
