/**
 * bench:kernels — our WASM Conv2DBackpropFilter: the registered conv form against the earlier
 * per-tap slices + BatchMatMul form, on the same inputs in one run (interleaved, so load from
 * other processes hits both alike), with the forward conv2d of the same size as the yardstick.
 *   1. one kernel call: x [B, S, S, 512], dy [B, S, S, 512], 3×3 filter, SAME (block5's shape at
 *      64 px input: block4_pool is 4×4×512);
 *   2. one fine-tune step at 64 px: block5 (3 convs + pool) + the flatten head, Adam, batch B.
 *   BENCH_BATCH (default 16), BENCH_SPATIAL (default 4), BENCH_REPS (default 5).
 * Weights are random ('none', seeded): speed does not depend on their values.
 */
import { writeResult } from './lib/results';
import { initBackend, tf } from '../training/src/backend';
import { DEFAULT_PARAMS } from '../training/src/config/params';
import { conv2DBackpropFilterAsConv, conv2DBackpropFilterSlices, conv2DBackpropFilterWasmConfig } from '../training/src/kernels/conv2d-backprop-filter-wasm';
import { buildBase, resolveWeights } from '../training/src/model/weights';
import { buildFineTuneModel, fineTunePlan } from '../training/src/train/finetune';
import { logitsView } from '../training/src/train/head';

const batch = Number(process.env.BENCH_BATCH ?? 16);
const spatial = Number(process.env.BENCH_SPATIAL ?? 4);
const reps = Number(process.env.BENCH_REPS ?? 5);
const CHANNELS = 512;
const IMAGE_SIZE = spatial * 16; // block4_pool is the input downsampled 16×

type Impl = 'slices' | 'conv';
const IMPLS: Record<Impl, tf.KernelFunc> = { slices: conv2DBackpropFilterSlices, conv: conv2DBackpropFilterAsConv };

/** Makes `impl` the registered Conv2DBackpropFilter, so tf.grad and optimizers use it. */
function use(impl: Impl): void {
  tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
  tf.registerKernel({ ...conv2DBackpropFilterWasmConfig, kernelFunc: IMPLS[impl] });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ms = (x: number) => +x.toFixed(1);

/** Same inputs through both implementations and the forward conv2d, interleaved per repetition. */
function kernelCall() {
  const x = tf.randomNormal([batch, spatial, spatial, CHANNELS], 0, 1, 'float32', 1) as tf.Tensor4D;
  const dy = tf.randomNormal([batch, spatial, spatial, CHANNELS], 0, 1, 'float32', 2) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, CHANNELS, CHANNELS], 0, 0.05, 'float32', 3) as tf.Tensor4D;
  // Read each result outside tidy: tidy walks a returned typed array element by element
  // looking for tensors, which costs seconds at 2.4M entries and would swamp the kernel.
  const read = (t: tf.Tensor): Float32Array => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  };
  const filterGrad = (impl: Impl) => {
    use(impl);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, CHANNELS, CHANNELS] };
    return read(tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as never) as tf.Tensor);
  };
  const slicesOut = filterGrad('slices');
  const convOut = filterGrad('conv');
  let scale = 0;
  for (const v of slicesOut) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < slicesOut.length; i++) worst = Math.max(worst, Math.abs(convOut[i]! - slicesOut[i]!) / Math.max(Math.abs(slicesOut[i]!), scale * 1e-2));
  const forward = () => read(tf.conv2d(x, w, 1, 'same'));
  forward(); // warm-up, as the agreement check above was for the two implementations
  const runs: Record<Impl | 'forward', number[]> = { slices: [], conv: [], forward: [] };
  for (let r = 0; r < reps; r++) {
    for (const impl of ['slices', 'conv'] as const) runs[impl].push(...time1(() => filterGrad(impl)));
    runs.forward.push(...time1(forward));
  }
  tf.dispose([x, dy, w]);
  return {
    shape: { x: [batch, spatial, spatial, CHANNELS], filter: [3, 3, CHANNELS, CHANNELS], strides: 1, pad: 'same' },
    medianMs: { slices: ms(median(runs.slices)), conv: ms(median(runs.conv)), forwardConv2d: ms(median(runs.forward)) },
    speedup: +(median(runs.slices) / median(runs.conv)).toFixed(2),
    maxRelativeDiff: worst,
  };
}

/** One timed call, as a one-element list. */
function time1(f: () => void): number[] {
  const t0 = performance.now();
  f();
  return [performance.now() - t0];
}

/** One optimizer step of the 64 px block5 fine-tune network, per implementation. */
async function fineTuneStep() {
  const weights = await resolveWeights('none', { seed: 5 });
  const base = await buildBase(weights, IMAGE_SIZE, 5);
  const plan = fineTunePlan('block5')!;
  const model = buildFineTuneModel(base, plan, { head: DEFAULT_PARAMS.model.head, dropout: DEFAULT_PARAMS.model.dropout, numClasses: 2, featureShape: [spatial, spatial, CHANNELS], seed: 5 });
  base.dispose();
  const logits = logitsView(model);
  const optimizer = tf.train.adam(1e-4);
  const features = tf.randomUniform([batch, spatial, spatial, CHANNELS], 0, 4, 'float32', 4);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);
  const step = () => {
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, logits.apply(features, { training: true }) as tf.Tensor) as tf.Scalar, true);
    loss!.dataSync();
    loss!.dispose();
  };
  const runs: Record<Impl, number[]> = { slices: [], conv: [] };
  for (const impl of ['slices', 'conv'] as const) {
    use(impl);
    step(); // warm-up: optimizer slots, XNNPACK operators
  }
  for (let r = 0; r < reps; r++)
    for (const impl of ['slices', 'conv'] as const) {
      use(impl);
      runs[impl].push(...time1(step));
    }
  tf.dispose([features, labels]);
  optimizer.dispose();
  model.dispose();
  return {
    imageSize: IMAGE_SIZE,
    batch,
    medianMs: { slices: ms(median(runs.slices)), conv: ms(median(runs.conv)) },
    speedup: +(median(runs.slices) / median(runs.conv)).toFixed(2),
  };
}

async function main(): Promise<void> {
  if (!(batch >= 1 && spatial >= 1 && reps >= 1)) throw new Error('bench:kernels: BENCH_BATCH, BENCH_SPATIAL and BENCH_REPS must be positive integers');
  const backend = await initBackend('wasm');
  if (backend !== 'wasm') throw new Error(`bench:kernels needs the wasm backend, got ${backend}`);
  const kernel = kernelCall();
  const step = await fineTuneStep();
  use('conv');
  writeResult('kernels', { backend, reps, conv2DBackpropFilter: kernel, fineTuneStep: step });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
