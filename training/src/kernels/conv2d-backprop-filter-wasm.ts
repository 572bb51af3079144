/**
 * Conv2DBackpropFilter for the WASM backend, which ships without it (so `tf.grad` through a conv
 * layer throws there, and fine-tuning would have to fall back to the ~30× slower CPU backend).
 *
 * dW[i, j] = Σ_{n,y,x} x_pad[n, y·sh + i, x·sw + j, :]ᵀ ⊗ dy[n, y, x, :]: for each filter tap
 * (i, j), one strided slice of the padded input, reshaped to [N·Ho·Wo, Ci], times dy reshaped to
 * [N·Ho·Wo, Co] with transposeA. Everything runs through WASM's own kernels (PadV2, StridedSlice,
 * Reshape, BatchMatMul, Concat); the per-tap form needs 1/(kh·kw) of an im2col buffer's memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

const BACKEND = 'wasm';

interface WasmLike {
  disposeData(dataId: object): boolean;
}

function kernel(name: string): KernelFunc {
  const k = tf.getKernel(name, BACKEND);
  if (!k) throw new Error(`wasm backend lacks the ${name} kernel that Conv2DBackpropFilter is built from`);
  return k.kernelFunc;
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as unknown as Conv2DBackpropFilterInputs & { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${dataFormat}`);
  const b = backend as unknown as WasmLike;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: n, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (!(ho > 0 && wo > 0 && n > 0)) throw new Error('Conv2DBackpropFilter (wasm): empty output');

  const [padV2, stridedSlice, reshape, batchMatMul, concat] = ['PadV2', 'StridedSlice', 'Reshape', 'BatchMatMul', 'Concat'].map(kernel) as [KernelFunc, KernelFunc, KernelFunc, KernelFunc, KernelFunc];
  const run = (f: KernelFunc, ins: Record<string, TensorInfo> | TensorInfo[], at: object): TensorInfo =>
    f({ inputs: ins as never, backend, attrs: at as never }) as TensorInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => (temps.push(t), t);
  try {
    const m = n * ho * wo;
    // Pad generously on the far side: the taps' strided windows never read past it.
    const padBottom = Math.max(0, (ho - 1) * sh + kh - x.shape[1]! - padInfo.top);
    const padRight = Math.max(0, (wo - 1) * sw + kw - x.shape[2]! - padInfo.left);
    const needsPad = padInfo.top > 0 || padInfo.left > 0 || padBottom > 0 || padRight > 0;
    const xp = needsPad
      ? keep(run(padV2, { x }, { paddings: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]], constantValue: 0 }))
      : x;
    const dy2 = keep(run(reshape, { x: dy }, { shape: [m, co] }));
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const patch = keep(
          run(stridedSlice, { x: xp }, {
            begin: [0, i, j, 0],
            end: [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          }),
        );
        const p2 = keep(run(reshape, { x: patch }, { shape: [1, m, ci] }));
        taps.push(keep(run(batchMatMul, { a: p2, b: dy2 }, { transposeA: true, transposeB: false })));
      }
    const stacked = taps.length === 1 ? taps[0]! : keep(run(concat, taps, { axis: 0 }));
    // The result must outlive the temporaries: reshape shares its data and takes a reference.
    return run(reshape, { x: stacked }, { shape: [kh, kw, ci, co] });
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropFilter,
};

/** Registers the kernel once; harmless to call again, and a no-op if a future tfjs ships one. */
export function registerConv2DBackpropFilterWasm(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND)) return;
  tf.registerKernel(conv2DBackpropFilterWasmConfig);
}
