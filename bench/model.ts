/**
 * bench:model — the exported VGG16 graph model (fused ops) against the same network as a
 * LayersModel on each backend, plus download bytes per weight dtype and load/warm-up times.
 * BENCH_SIZE (default 96; 224 is the product's size but SwiftShader WebGL takes minutes there)
 * and BENCH_ITERATIONS (default 5).
 */
import { buildVggClassifier, UNTRAINED_FACTS } from '../e2e/support/vgg-model';
import { initBackend } from '../training/src/backend';
import { runModelBench } from './lib/model-bench';
import { writeResult } from './lib/results';

const size = Number(process.env.BENCH_SIZE ?? 96);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 5);
await initBackend('wasm');
const result = await runModelBench({
  name: 'vgg16',
  model: buildVggClassifier(size),
  facts: UNTRAINED_FACTS(size),
  size,
  iterations,
  dtypes: ['float32', 'float16', 'uint8'],
  browserBackends: ['wasm', 'webgl'],
});
writeResult('model', result);
