/**
 * Gradient kernels tfjs-backend-wasm 4.22 lacks. Of what fine-tuning VGG16's block5 needs
 * (Conv2DBackpropInput, MaxPoolGrad, Step for ReLU's gradient, BatchMatMul, Sum) only
 * Conv2DBackpropFilter is missing; the fine-tune test in this folder checks the whole chain.
 */
import { registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter-wasm';

/** Call once before taking gradients on the wasm backend. */
export function registerMissingWasmKernels(): void {
  registerConv2DBackpropFilterWasm();
}
