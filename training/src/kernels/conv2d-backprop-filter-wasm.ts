/**
 * Conv2DBackpropFilter for the WASM backend, which ships without it (so `tf.grad` through a conv
 * layer throws there, and fine-tuning would have to fall back to the ~30× slower CPU backend).
 *
 * Registered as ONE forward convolution on XNNPACK (conv2DBackpropFilterAsConv), the same cost
 * as the forward pass; the earlier per-tap slices + BatchMatMul form (conv2DBackpropFilterSlices)
 * stays as an independent reference for tests and bench:kernels.
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

type Run = (name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: object) => TensorInfo;

interface Geometry {
  x: TensorInfo;
  dy: TensorInfo;
  info: tf.backend_util.Conv2DInfo;
  /** Far-side padding that makes every tap's strided window fit: the SAME/explicit pad, or more. */
  padBottom: number;
  padRight: number;
}

/**
 * Shared by both formulations: reads the kernel's inputs, checks them, and runs `body` with a
 * `run` that calls wasm kernels by name and frees every intermediate except the returned one.
 */
function withGeometry(args: Parameters<KernelFunc>[0], body: (g: Geometry, run: Run) => TensorInfo): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as unknown as Conv2DBackpropFilterInputs & { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${dataFormat}`);
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
  const { batchSize: n, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (!(ho > 0 && wo > 0 && n > 0)) throw new Error('Conv2DBackpropFilter (wasm): empty output');
  const padBottom = Math.max(0, (ho - 1) * sh + kh - x.shape[1]! - padInfo.top);
  const padRight = Math.max(0, (wo - 1) * sw + kw - x.shape[2]! - padInfo.left);
  const temps: TensorInfo[] = [];
  const run: Run = (name, ins, at) => {
    const t = kernel(name)({ inputs: ins as never, backend, attrs: at as never }) as TensorInfo;
    temps.push(t);
    return t;
  };
  let result: TensorInfo | undefined;
  try {
    result = body({ x, dy, info, padBottom, padRight }, run);
    return result;
  } finally {
    const b = backend as unknown as WasmLike;
    for (const t of temps) if (t !== result) b.disposeData(t.dataId);
  }
}

/**
 * dW as ONE forward convolution, so it runs on XNNPACK's conv (as fast as the forward pass):
 *   dW[i, j, c, o] = Σ_{n,y,x} x_pad[n, y·sh + i, x·sw + j, c] · dy[n, y, x, o]
 * is conv2d(input = x transposed to [Ci, H, W, N] — channels as batch, batch as channels —,
 * filter = dy transposed to [Ho, Wo, N, Co], stride 1, dilation (sh, sw), explicit padding),
 * whose output [Ci, kh', kw', Co] (kh' ≥ kh when x has rows no tap reads) is cropped to
 * [Ci, kh, kw, Co] and transposed to [kh, kw, Ci, Co]. XNNPACK takes stride 1 with any dilation.
 */
export const conv2DBackpropFilterAsConv: KernelFunc = (args) =>
  withGeometry(args, ({ x, dy, info, padBottom, padRight }, run) => {
    const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const xt = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyt = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const conv = run('Conv2D', { x: xt, filter: dyt }, {
      strides: [1, 1],
      dilations: [sh, sw],
      pad: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]],
      dataFormat: 'NHWC',
    });
    const cropped = conv.shape[1] === kh && conv.shape[2] === kw ? conv : run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    return run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  });

/**
 * The earlier formulation, kept as an independent reference for tests and bench:kernels. For
 * each filter tap (i, j), one strided slice of the padded input, reshaped to [N·Ho·Wo, Ci], times
 * dy reshaped to [N·Ho·Wo, Co] with transposeA — correct but ~10× slower than the conv form,
 * because wasm's BatchMatMul is not XNNPACK's GEMM.
 */
export const conv2DBackpropFilterSlices: KernelFunc = (args) =>
  withGeometry(args, ({ x, dy, info, padBottom, padRight }, run) => {
    const { batchSize: n, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const m = n * ho * wo;
    const needsPad = padInfo.top > 0 || padInfo.left > 0 || padBottom > 0 || padRight > 0;
    const xp = needsPad ? run('PadV2', { x }, { paddings: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]], constantValue: 0 }) : x;
    const dy2 = run('Reshape', { x: dy }, { shape: [m, co] });
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const patch = run('StridedSlice', { x: xp }, {
          begin: [0, i, j, 0],
          end: [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
          strides: [1, sh, sw, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        });
        const p2 = run('Reshape', { x: patch }, { shape: [1, m, ci] });
        taps.push(run('BatchMatMul', { a: p2, b: dy2 }, { transposeA: true, transposeB: false }));
      }
    const stacked = taps.length === 1 ? taps[0]! : run('Concat', taps, { axis: 0 });
    // Reshape shares its input's data and takes a reference, so the result outlives `stacked`.
    return run('Reshape', { x: stacked }, { shape: [kh, kw, ci, co] });
  });

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: BACKEND,
  kernelFunc: conv2DBackpropFilterAsConv,
};

/** Registers the kernel once; harmless to call again, and a no-op if a future tfjs ships one. */
export function registerConv2DBackpropFilterWasm(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND)) return;
  tf.registerKernel(conv2DBackpropFilterWasmConfig);
}
