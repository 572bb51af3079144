/**
 * The browser half of the model benches: the app's own backend setup (WASM binaries from our
 * origin, SwiftShader allowed), a graph model and the same network as a LayersModel, timed on
 * one backend at a time. Driven by bench/lib/browser.ts through Playwright.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { activateBackend, configureWasmThreads, tf, wasmThreads } from '../../src/features/inference/backends';
import { defaultWasmThreads, threadsParam } from '../../src/features/inference/wasm-threads';
import { normalizeCaffe } from '@respidetect/contract';
import { timeModels, type ModelTiming } from '../lib/time-model';

export interface BrowserBenchRequest {
  backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu';
  graphUrl: string;
  layersUrl?: string;
  size: number;
  iterations: number;
}

// As in the app's worker: the WASM thread count is fixed before WASM first starts, so a page
// serves one count (?threads=N, else the app's default); bench/lib/browser.ts reloads to change it.
configureWasmThreads(threadsParam(location.search) ?? defaultWasmThreads(navigator.hardwareConcurrency));

async function bench(req: BrowserBenchRequest): Promise<{ backend: string; threads: number | null; graph: ModelTiming; layers?: ModelTiming }> {
  if (!(await activateBackend(req.backend))) throw new Error(`backend ${req.backend} cannot start here`);
  const input = tf.randomUniform([1, req.size, req.size, 3], 0, 255) as tf.Tensor4D;
  const graphModel = { load: () => loadGraphModel(req.graphUrl), infer: (m: GraphModel, x: tf.Tensor) => m.execute(x, 'probabilities') as tf.Tensor };
  const layersModel = {
    load: () => tfl.loadLayersModel(req.layersUrl!),
    infer: (m: tfl.LayersModel, x: tf.Tensor) => tf.tidy(() => m.predict(normalizeCaffe(tf, x as tf.Tensor4D)) as tf.Tensor),
  };
  const [graph, layers] = await timeModels(req.layersUrl ? [graphModel, layersModel] : [graphModel], input, req.iterations);
  input.dispose();
  return { backend: tf.getBackend(), threads: wasmThreads(), graph: graph!, layers };
}

(window as unknown as { bench: typeof bench }).bench = bench;
document.getElementById('status')!.textContent = 'ready';
