/**
 * One timing protocol for every model bench, in Node and in the browser: load, one warm-up
 * inference (shader compilation, WASM memory growth), then `iterations` timed inferences,
 * each read back (dataSync), so asynchronous backends are measured to completion.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface ModelTiming {
  loadMs: number;
  warmupMs: number;
  /** Per-inference times after warm-up. */
  ms: number[];
  medianMs: number;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function timeModel<M extends { dispose(): void }>(
  load: () => Promise<M>,
  infer: (model: M, input: tf.Tensor) => tf.Tensor,
  input: tf.Tensor,
  iterations: number,
): Promise<ModelTiming> {
  let t = performance.now();
  const model = await load();
  const loadMs = performance.now() - t;
  t = performance.now();
  const w = infer(model, input);
  await w.data();
  w.dispose();
  const warmupMs = performance.now() - t;
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    t = performance.now();
    const out = infer(model, input);
    await out.data();
    out.dispose();
    ms.push(performance.now() - t);
  }
  model.dispose();
  return { loadMs, warmupMs, ms, medianMs: median(ms) };
}
