/**
 * tfjs backend for Node: tfjs-node when it happens to be installed (optional, not a dependency:
 * its install script downloads libtensorflow, which many machines cannot), else WASM, else CPU.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerMissingWasmKernels } from './kernels';
import { env } from './config/env';

export type NodeBackend = 'tensorflow' | 'wasm' | 'cpu';

let chosen: NodeBackend | undefined;

export async function initBackend(prefer: NodeBackend | 'auto' = (env.tfjsBackend() as NodeBackend | undefined) ?? 'auto'): Promise<NodeBackend> {
  if (chosen && (prefer === 'auto' || prefer === chosen)) return chosen;
  const order: NodeBackend[] = prefer === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [prefer];
  for (const name of order) {
    if (name === 'tensorflow') {
      try {
        // A variable specifier keeps bundlers and tsc from insisting the package exists.
        const pkg = '@tensorflow/tfjs-node';
        await import(pkg);
      } catch {
        continue;
      }
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        // tfjs-backend-wasm 4.22 lacks gradient kernels that training needs.
        if (name === 'wasm') registerMissingWasmKernels();
        chosen = name;
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error(`no tfjs backend could start (tried ${order.join(', ')})`);
}

/**
 * Training needs gradients. Until every gradient kernel a model uses exists on WASM, a backend
 * that lacks one falls back to CPU for training (inference stays on the faster backend).
 */
export async function initTrainingBackend(requiredKernels: string[] = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']): Promise<NodeBackend> {
  const name = await initBackend();
  if (requiredKernels.every((k) => tf.getKernel(k, name) !== undefined)) return name;
  return initBackend('cpu');
}

export { tf };
