/**
 * How many images go through the model in one `execute` (the worker's batch). Pure, so the page
 * (which reads `?batch=`) and the worker (which applies it per backend) share one rule.
 *
 * Why per backend:
 *   - WASM and CPU: 1. XNNPACK already spreads one image's convolutions over every thread, so a
 *     batch mostly adds memory; issue 17 asks for no loss on WASM, and until bench:app
 *     (APP_BENCH_RUNS=wasm@2/b1,wasm@2/b4) measures a gain we keep one image per run.
 *   - WebGL and WebGPU: 4. Each op is a draw call / dispatch with a fixed cost (uniforms, shader
 *     bind, a fence read at the end); a batch pays it once for N images and fills the GPU better.
 *     Bounded by memory at 224 px: VGG16's widest activation is 224×224×64 float32 = 12.8 MB an
 *     image, and WebGL keeps a few layers' textures alive, so 4 stays well under the ~1 GB a
 *     browser allows a context on small GPUs; more gains little once the GPU is busy.
 *   - Software WebGL (SwiftShader, llvmpipe): 1. It is the CPU drawing, with no per-call cost to
 *     share out; measured at 224 px (bench:app, webgl/b4 over webgl/b1, 8 real CT slices) batches of 4
 *     ran at 0.71× the throughput of single images (new shader programs per batch shape, and a bigger
 *     working set). WASM at 2 threads: b4 ÷ b1 = 1.02, so WASM stays at 1 too.
 * A graph exported with a fixed batch dimension caps it (Classifier.maxBatch), so old models work.
 */
import type { BackendName } from '../../config/model';
import { intParam } from '../../lib/int-param';

export const DEFAULT_BATCH: Record<BackendName, number> = { wasm: 1, cpu: 1, webgl: 4, webgpu: 4 };

/** The largest `?batch=` accepted: a running batch is what cancel cannot stop, and memory grows with it. */
export const MAX_BATCH = 16;

/**
 * The batch for a run on `backend`: `?batch=` when given, else the backend's default (1 on a software
 * WebGL renderer); never more than the graph accepts (`graphMax`: its fixed batch dimension, Infinity
 * when it is dynamic).
 */
export function batchSizeFor(backend: BackendName, override: number | null, graphMax = Infinity, softwareRenderer = false): number {
  const byBackend = backend === 'webgl' && softwareRenderer ? 1 : DEFAULT_BATCH[backend];
  return Math.max(1, Math.min(override ?? byBackend, graphMax));
}

/** `?batch=N` (1..MAX_BATCH) from the page's query string; null when absent. */
export const batchParam = (search: string): number | null => intParam(search, 'batch', MAX_BATCH, 'a batch size');
