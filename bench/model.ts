/**
 * bench:model — the shipped network at the product's size: VGG16 (base with seeded random weights,
 * model.weights=none, labelled so in the result) + the default head, exported as the float16
 * graph model the app downloads, timed per backend in one run: Node WASM, Chromium WASM at 1 and
 * 2 threads (and the app's default), WebGL (SwiftShader here), WebGPU (where an adapter exists).
 *
 *   BENCH_SIZE        input size (default 224; e.g. 32 for a quick check that it runs)
 *   BENCH_ITERATIONS  timed inferences per backend (default 5)
 *   BENCH_BACKENDS    Chromium backends (default wasm,webgl,webgpu)
 *   BENCH_LAYERS=1    also time the same network as a LayersModel (graph ÷ layers)
 *   BENCH_CPU_GHZ, BENCH_SIMD_OPS_PER_CYCLE  for the SIMD128 peak (see lib/flops.ts)
 */
import { buildVggClassifier, UNTRAINED_FACTS } from '../testkit/models/vgg-model';
import { initBackend } from '../training/src/backend';
import { runModelBench, type ModelBenchOptions } from './lib/model-bench';
import { writeResult } from './lib/results';

const size = Number(process.env.BENCH_SIZE ?? 224);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 5);
const backends = (process.env.BENCH_BACKENDS ?? 'wasm,webgl,webgpu').split(',') as ModelBenchOptions['browserBackends'];
await initBackend('wasm');
const result = await runModelBench({
  name: 'vgg16',
  model: buildVggClassifier(size),
  facts: UNTRAINED_FACTS(size),
  size,
  iterations,
  dtypes: ['float16', 'float32', 'uint8'],
  browserBackends: backends,
  // 1 and 2 for the thread-scaling ratio; undefined: the app's default (every core, up to 8).
  wasmThreads: [1, 2],
  layers: process.env.BENCH_LAYERS === '1',
});
writeResult('model', { weights: 'none: VGG16 base with seeded random weights (model.weights=none), not a trained model', ...result });
