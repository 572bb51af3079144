/**
 * One timing protocol for every model bench, in Node and in the browser: load, one warm-up
 * inference (shader compilation, WASM memory growth), then timed inferences, each read back
 * (data()), so asynchronous backends are measured to completion. Two models are timed
 * alternately, so drift on a shared machine (other load, GC, thermal) hits both alike.
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

export interface Timed<M extends { dispose(): void }> {
  load: () => Promise<M>;
  infer: (model: M, input: tf.Tensor) => tf.Tensor;
}

async function once<M>(model: M, infer: (m: M, x: tf.Tensor) => tf.Tensor, input: tf.Tensor): Promise<number> {
  const t = performance.now();
  const out = infer(model, input);
  await out.data();
  out.dispose();
  return performance.now() - t;
}

/** Loads and warms every model, then runs `iterations` rounds of one timed inference each, in turn. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function timeModels(models: Timed<any>[], input: tf.Tensor, iterations: number): Promise<ModelTiming[]> {
  const loaded = [];
  for (const m of models) {
    const t = performance.now();
    const model = await m.load();
    const loadMs = performance.now() - t;
    const warmupMs = await once(model, m.infer, input);
    loaded.push({ model, infer: m.infer, loadMs, warmupMs, ms: [] as number[] });
  }
  for (let i = 0; i < iterations; i++) for (const l of loaded) l.ms.push(await once(l.model, l.infer, input));
  for (const l of loaded) l.model.dispose();
  return loaded.map(({ loadMs, warmupMs, ms }) => ({ loadMs, warmupMs, ms, medianMs: median(ms) }));
}
