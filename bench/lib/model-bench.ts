/**
 * Graph model vs the same network as a LayersModel, per backend: Node WASM, Chromium WASM,
 * Chromium WebGL (SwiftShader here). Every number in one run, so ratios are comparable.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, tf } from '../../training/src/backend';
import { writeGraphModel, type ModelFacts } from '../../training/src/export/write-model';
import { loadGraphModelDir } from '../../training/src/inference/graph-model';
import { saveModel } from '../../training/src/model/io';
import { normalizeCaffe } from '@respidetect/contract';
import { openBrowserBench } from './browser';
import { REPO } from './results';
import { timeModels, type ModelTiming } from './time-model';

export interface ModelBenchOptions {
  name: string;
  model: tf.LayersModel;
  facts: ModelFacts;
  size: number;
  iterations: number;
  dtypes: ('float32' | 'float16' | 'uint8')[];
  browserBackends: ('wasm' | 'webgl')[];
}

const dirBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const summary = (t: ModelTiming) => ({ loadMs: +t.loadMs.toFixed(1), warmupMs: +t.warmupMs.toFixed(1), medianMs: +t.medianMs.toFixed(2), ms: t.ms.map((m) => +m.toFixed(2)) });

export async function runModelBench(o: ModelBenchOptions): Promise<Record<string, unknown>> {
  await initBackend('wasm');
  const work = join(REPO, '.cache', `bench-${o.name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const downloadBytes: Record<string, number> = {};
  for (const dtype of o.dtypes) {
    const dir = join(work, `graph-${dtype}`);
    writeGraphModel({ model: o.model, outDir: dir, dtype, shardBytes: 4 * 2 ** 20, caffeNormalisation: true, facts: o.facts });
    downloadBytes[dtype] = dirBytes(dir);
  }
  const layersDir = join(work, 'layers');
  await saveModel(o.model, layersDir);
  downloadBytes.layersModelFloat32 = dirBytes(layersDir);

  const input = tf.randomUniform([1, o.size, o.size, 3], 0, 255) as tf.Tensor4D;
  const [graphNode, layersNode] = (await timeModels(
    [
      { load: async () => (await loadGraphModelDir(join(work, 'graph-float32'))).model, infer: (m: tf.GraphModel, x: tf.Tensor) => m.execute(x, 'probabilities') as tf.Tensor },
      // A shell around the in-memory model: timeModels disposes what it loads, and o.model is the caller's.
      { load: async () => ({ dispose: () => undefined }), infer: (_m: unknown, x: tf.Tensor) => tf.tidy(() => o.model.predict(normalizeCaffe(tf, x as tf.Tensor4D)) as tf.Tensor) },
    ],
    input,
    o.iterations,
  )) as [ModelTiming, ModelTiming];
  input.dispose();

  const perBackend: Record<string, unknown> = {
    'node-wasm': { graph: summary(graphNode), layers: summary(layersNode), graphOverLayers: +(graphNode.medianMs / layersNode.medianMs).toFixed(3) },
  };
  const browser = await openBrowserBench({ graph: join(work, 'graph-float32'), layers: layersDir, ...Object.fromEntries(o.dtypes.map((d) => [`graph-${d}`, join(work, `graph-${d}`)])) });
  try {
    for (const backend of o.browserBackends) {
      const r = await browser.run({ backend, size: o.size, iterations: o.iterations, graph: 'graph', layers: 'layers' });
      perBackend[`chromium-${backend}`] = {
        activeBackend: r.backend,
        graph: summary(r.graph),
        layers: r.layers ? summary(r.layers) : undefined,
        graphOverLayers: r.layers ? +(r.graph.medianMs / r.layers.medianMs).toFixed(3) : undefined,
      };
    }
  } finally {
    await browser.close();
  }
  return {
    model: o.name,
    inputSize: o.size,
    iterations: o.iterations,
    downloadBytes,
    perBackend,
    note: 'graphOverLayers < 1 means the fused graph model is faster; medians of warm per-image inferences, each read back.',
  };
}
