/**
 * Arithmetic a model does per image, and the SIMD128 peak it is measured against, so a bench can
 * say what fraction of the machine it uses rather than only how long it took.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * Multiply-accumulates per image of every Conv2D and Dense layer (the rest, pooling and
 * activations, is < 0.1% of VGG16). A MAC is 2 FLOPs.
 */
export function modelMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Dense') continue;
    const kernel = layer.getWeights()[0]!.shape; // Conv2D [kh, kw, cin, cout]; Dense [in, out]
    const out = layer.outputShape as (number | null)[];
    const positions = cls === 'Conv2D' ? out[1]! * out[2]! : 1;
    macs += positions * kernel.reduce((a, b) => a * b, 1);
  }
  return macs;
}

/**
 * WebAssembly SIMD128 has no fused multiply-add (tfjs 4.22's XNNPACK build uses none), so a MAC
 * is an f32x4.mul plus an f32x4.add: 4 lanes × `simdOpsPerCycle` 128-bit float ops a cycle.
 * simdOpsPerCycle is the core's 128-bit FP issue width: 2 on Intel since Skylake (two FMA ports
 * doing mul or add), 4 on AMD Zen 2 and later (2 FMUL + 2 FADD pipes). The clock is what the OS
 * reports now (os.cpus()[].speed), which under turbo may be below the real one: the fraction can
 * then read high.
 */
export function simd128PeakGflops(o: { cores: number; ghz: number; simdOpsPerCycle: number }): { gflops: number; formula: string } {
  const gflops = o.cores * o.ghz * 4 * o.simdOpsPerCycle;
  return { gflops, formula: `${o.cores} cores × ${o.ghz.toFixed(2)} GHz × 4 f32 lanes × ${o.simdOpsPerCycle} SIMD128 float ops/cycle (no FMA in WASM SIMD128)` };
}
