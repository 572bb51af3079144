/**
 * bench:latency — per-image latency of the skeleton model (the quick trainer's small VGG-style
 * net, exported as a graph model) in Node (WASM) and in Chromium (WASM and WebGL).
 */
import { buildSmallVgg } from '../training/src/quick/small-vgg';
import { initBackend } from '../training/src/backend';
import { UNTRAINED_FACTS } from '../testkit/models/vgg-model';
import { runModelBench } from './lib/model-bench';
import { writeResult } from './lib/results';

const size = Number(process.env.BENCH_SIZE ?? 64);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 20);
await initBackend('wasm');
const result = await runModelBench({
  name: 'small-vgg',
  model: buildSmallVgg(size, 2, 1),
  facts: { ...UNTRAINED_FACTS(size), architecture: `small-vgg, ${size}px (untrained, for latency only)` },
  size,
  iterations,
  dtypes: ['float32'],
  browserBackends: ['wasm', 'webgl'],
  layers: true,
});
writeResult('latency', result);
