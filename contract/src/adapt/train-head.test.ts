import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../util/rng';
import { ADAPT_SETTINGS, Cancelled, headLogits, trainHead, type FeatureRows, type HeadCheckpoint, type HeadSettings } from './train-head';

const DIM = 8;
const K = 2;

/** Two clusters along the first feature, noise elsewhere; `flip` labels at random instead. */
function rows(n: number, seed: number, randomLabels = false): FeatureRows {
  const r = rng(seed);
  const labels = Array.from({ length: n }, (_, i) => (randomLabels ? (r() < 0.5 ? 0 : 1) : i % 3 === 0 ? 0 : 1));
  const x = new Float32Array(n * DIM);
  labels.forEach((y, i) => {
    for (let d = 0; d < DIM; d++) x[i * DIM + d] = (r() - 0.5) * 2 + (d === 0 && !randomLabels ? (y === 0 ? 2 : -2) : 0);
  });
  return { x, labels };
}

const zeroHead = () => ({ kernel: new Float32Array(DIM * K), bias: new Float32Array(K) });
const settings: HeadSettings = { ...ADAPT_SETTINGS, learningRate: 0.05, batchSize: 16, maxEpochs: 6, patience: 0 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainHead', () => {
  it('learns separable features with balanced class weights, keeps the best epoch, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const val = rows(60, 2);
    const s = await trainHead(tf, rows(120, 1), val, zeroHead(), { dim: DIM, classes: K }, settings, { onEpoch: async () => undefined, cancelled: () => false });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.epoch).toBe(6);
    expect(s.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.best.valLoss).toBeLessThan(Math.log(2) / 2);
    const logits = await headLogits(tf, val, s.best, DIM, K);
    const acc = logits.filter((z, i) => (z[0]! > z[1]! ? 0 : 1) === val.labels[i]).length / val.labels.length;
    expect(acc).toBeGreaterThan(0.9);
  });

  it('a run cancelled after epoch 3 and resumed from its checkpoint ends with the unbroken run’s weights', async () => {
    const train = rows(120, 3);
    const val = rows(40, 4);
    const dims = { dim: DIM, classes: K };
    const unbroken = await trainHead(tf, train, val, zeroHead(), dims, settings, { onEpoch: async () => undefined, cancelled: () => false });
    let saved: HeadCheckpoint | undefined;
    await expect(
      trainHead(tf, train, val, zeroHead(), dims, settings, {
        onEpoch: async (s) => {
          saved = structuredClone(s);
        },
        cancelled: () => saved?.epoch === 3,
      }),
    ).rejects.toBeInstanceOf(Cancelled);
    expect(saved!.epoch).toBe(3);
    expect(saved!.optimizer.length).toBeGreaterThan(0);
    const resumed = await trainHead(tf, train, val, zeroHead(), dims, settings, { onEpoch: async () => undefined, cancelled: () => false }, saved);
    // Adam's bias corrections are recomputed from the step count on resume (β^t, not a running
    // product), so the weights agree to float32 rounding rather than bit for bit.
    expect(resumed.history.map((h) => h.epoch)).toEqual(unbroken.history.map((h) => h.epoch));
    resumed.history.forEach((h, i) => expect(Math.abs(h.valLoss - unbroken.history[i]!.valLoss)).toBeLessThan(1e-5));
    const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(maxDiff(resumed.current.kernel, unbroken.current.kernel)).toBeLessThan(1e-5);
    expect(resumed.best.epoch).toBe(unbroken.best.epoch);
    // Without Adam's state the resumed run would differ by far more: the checkpoint carries it.
    const fresh = await trainHead(tf, train, val, zeroHead(), dims, settings, { onEpoch: async () => undefined, cancelled: () => false }, { ...saved!, optimizer: [] });
    expect(maxDiff(fresh.current.kernel, unbroken.current.kernel)).toBeGreaterThan(1e-3);
  });

  it('stops early when validation stops improving and keeps the best weights, not the last', async () => {
    const s = await trainHead(tf, rows(80, 5, true), rows(40, 6, true), zeroHead(), { dim: DIM, classes: K }, { ...settings, maxEpochs: 40, patience: 3 }, { onEpoch: async () => undefined, cancelled: () => false });
    expect(s.stoppedEarly).toBe(true);
    expect(s.epoch).toBe(s.best.epoch + 3);
    expect(Array.from(s.best.kernel)).not.toEqual(Array.from(s.current.kernel));
  });
});
