import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { conv2DBackpropFilterAsConv, conv2DBackpropFilterSlices, registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter-wasm';

/** Deterministic values in [-1, 1), so both backends see identical inputs. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

type Case = { x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] };

const CASES: Case[] = [
  { x: [1, 5, 5, 1], f: [3, 3, 1, 1], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { x: [1, 10, 11, 2], f: [2, 3, 2, 3], strides: [2, 3], pad: 'same' },
  { x: [3, 6, 6, 4], f: [1, 1, 4, 2], strides: 1, pad: 'valid' },
  { x: [1, 7, 7, 2], f: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { x: [2, 14, 14, 16], f: [3, 3, 16, 8], strides: 1, pad: 'same' },
  // Stride 2 on odd sizes where the last row/column is read by no tap (the conv form crops).
  { x: [2, 11, 9, 4], f: [2, 2, 4, 3], strides: 2, pad: 'valid' },
  { x: [2, 11, 9, 4], f: [2, 2, 4, 3], strides: 2, pad: 'same' },
  { x: [1, 10, 10, 3], f: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { x: [1, 9, 9, 2], f: [1, 1, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 4], strides: [2, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
];

/** Gradient of sum(conv2d(x, f) · w) w.r.t. the filter, on the backend in force. */
function filterGrad(c: Case, xv: Float32Array, fv: Float32Array, wv: Float32Array, outShape: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor(wv, outShape);
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad), w)));
    return g(tf.tensor4d(fv, c.f)).dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    registerConv2DBackpropFilterWasm();
  });

  it.each(CASES)('matches the CPU gradient to 1e-4 relative: x $x, filter $f, strides $strides, $pad', async (c) => {
    const xv = values(c.x.reduce((a, b) => a * b), 1);
    const fv = values(c.f.reduce((a, b) => a * b), 2);
    await tf.setBackend('cpu');
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.strides, c.pad).shape);
    const wv = values(outShape.reduce((a, b) => a * b), 3);
    const want = filterGrad(c, xv, fv, wv, outShape);
    await tf.setBackend('wasm');
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    const got = filterGrad(c, xv, fv, wv, outShape);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    expect(got.length).toBe(want.length);
    const scale = Math.max(...want.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    for (let i = 0; i < want.length; i++) {
      // Relative to each entry, with the gradient's overall scale as the floor for near-zero entries.
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(want[i]!), scale * 1e-2));
    }
  });

  it('lets a block5-style fine-tune (conv+ReLU → max-pool → dense) take gradients on wasm, equal to CPU', async () => {
    const xv = values(2 * 8 * 8 * 8, 4);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [2, 8, 8, 8]);
        const k1 = tf.variable(tf.tensor4d(values(3 * 3 * 8 * 8, 5), [3, 3, 8, 8]), true, 'k1');
        const b1 = tf.variable(tf.tensor1d(values(8, 6)), true, 'b1');
        const dense = tf.variable(tf.tensor2d(values(4 * 4 * 8 * 2, 7), [128, 2]), true, 'd');
        const labels = tf.tensor2d([1, 0, 0, 1], [2, 2]);
        const { grads } = tf.variableGrads(() => {
          const h = tf.fused.conv2d({ x, filter: k1, strides: 1, pad: 'same', bias: b1, activation: 'relu' });
          const p = tf.maxPool(h, 2, 2, 'valid');
          const logits = tf.matMul(tf.reshape(p, [2, 128]), dense);
          return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
        });
        const out = [grads.k1!, grads.b1!, grads.d!].map((g) => Array.from(g.dataSync()));
        k1.dispose();
        b1.dispose();
        dense.dispose();
        return out;
      });
    await tf.setBackend('cpu');
    const want = run();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = run();
    expect(tf.memory().numTensors).toBe(before);
    want.forEach((w, gi) => {
      const scale = Math.max(...w.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      w.forEach((v, i) => expect(Math.abs(got[gi]![i]! - v)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(v), scale * 1e-2)));
    });
  });

  it('conv form equals the per-tap slices form at block5 channel counts (16×4×4×256 → 512)', () => {
    const backend = tf.backend();
    const x = tf.tensor4d(values(16 * 4 * 4 * 256, 8), [16, 4, 4, 256]);
    const dy = tf.tensor4d(values(16 * 4 * 4 * 512, 9), [16, 4, 4, 512]);
    const dataBefore = backend.numDataIds();
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 256, 512] };
    const grad = (k: typeof conv2DBackpropFilterSlices): Float32Array => {
      const out = k({ inputs: { x, dy }, backend, attrs: attrs as never }) as tf.TensorInfo;
      expect(out.shape).toEqual([3, 3, 256, 512]);
      const v = backend.readSync(out.dataId) as Float32Array;
      backend.disposeData(out.dataId);
      return v;
    };
    const want = grad(conv2DBackpropFilterSlices);
    const got = grad(conv2DBackpropFilterAsConv);
    expect(backend.numDataIds()).toBe(dataBefore);
    x.dispose();
    dy.dispose();
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(scale).toBeGreaterThan(0);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(Math.abs(want[i]!), scale * 1e-2));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
