/**
 * The loader against .h5 files laid out the way h5py wrote them for Keras 1 and Keras 2, built here
 * with h5wasm's low-level calls (not keras-h5-writer.ts, so a shared mistake cannot hide):
 *  - Keras 2 (save_weights / model.save): weight_names "<layer>/kernel:0", "<layer>/bias:0", the
 *    datasets nested one group deeper under those paths; model.save() files under /model_weights;
 *  - Keras 1: flat "<layer>_W:0", "<layer>_b:0";
 *  - attributes as numpy fixed-length byte strings (ASCII, NUL-padded to the longest name's bytes;
 *    h5wasm can only label the padding NULLTERM where h5py says NULLPAD, same bytes on disk), an
 *    empty float64 array for weightless layers, and `layer_names` split into layer_names0, 1, … as
 *    Keras does past HDF5's 64 KiB object-header limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { H5WeightsError, loadKerasH5Weights } from './h5-weights';

const dir = mkdtempSync(join(tmpdir(), 'h5-layouts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small model with Keras-style layer names: conv (kernel, bias), a weightless pool, dense. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'block1_conv1' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'predictions' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const ramp = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k) * (k + 1));
const WEIGHTS: Record<string, { shape: number[]; data: Float32Array }[]> = {
  block1_conv1: [{ shape: [3, 3, 3, 4], data: ramp(108, 1) }, { shape: [4], data: ramp(4, 2) }],
  predictions: [{ shape: [64, 2], data: ramp(128, 3) }, { shape: [2], data: ramp(2, 4) }],
};
const LAYERS = ['input_1', 'block1_conv1', 'block1_pool', 'flatten', 'predictions'];

/**
 * numpy's `np.asarray([s.encode('utf8') for s in names])`: fixed length, the longest name's bytes,
 * ASCII, shorter names NUL-padded. (keras-h5-writer.ts writes h5wasm's 'S': UTF-8, space-padded.)
 */
function fixedStringAttr(target: { create_attribute: (...a: never[]) => unknown }, name: string, values: string[]): void {
  const width = Math.max(1, ...values.map((v) => Buffer.byteLength(v)));
  (target.create_attribute as (n: string, d: string[], s: number[], t: string) => void)(name, values, [values.length], `A${width}`);
}

type Style = 'keras2' | 'keras1';
const weightName = (style: Style, layer: string, i: number) =>
  style === 'keras2' ? `${layer}/${['kernel', 'bias'][i]}:0` : `${layer}_${['W', 'b'][i]}:0`;

interface Layout {
  style: Style;
  /** model.save(): weights under /model_weights, as Keras 2 writes a whole model. */
  wholeModel?: boolean;
  /** layer_names split into layer_names0, layer_names1 (Keras' >64 KiB attribute chunking). */
  chunked?: boolean;
}

async function writeH5(file: string, layout: Layout): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const root = layout.wholeModel ? f.create_group('model_weights') : f;
    if (layout.wholeModel) fixedStringAttr(f, 'model_config', ['{"class_name": "Model"}']);
    if (layout.chunked) {
      fixedStringAttr(root, 'layer_names0', LAYERS.slice(0, 2));
      fixedStringAttr(root, 'layer_names1', LAYERS.slice(2));
    } else fixedStringAttr(root, 'layer_names', LAYERS);
    fixedStringAttr(root, 'backend', ['tensorflow']);
    fixedStringAttr(root, 'keras_version', [layout.style === 'keras2' ? '2.2.4' : '1.2.2']);
    for (const layer of LAYERS) {
      const g = root.create_group(layer);
      const ws = WEIGHTS[layer] ?? [];
      if (ws.length === 0) {
        // np.asarray([]) is float64.
        g.create_attribute('weight_names', new Float64Array(0), [0], '<d');
        continue;
      }
      const names = ws.map((_, i) => weightName(layout.style, layer, i));
      fixedStringAttr(g, 'weight_names', names);
      ws.forEach((w, i) => {
        const name = names[i]!;
        // h5py's g.create_dataset('a/b:0') makes the intermediate group 'a'.
        const slash = name.lastIndexOf('/');
        const parent = slash < 0 ? g : ((g.get(name.slice(0, slash)) as InstanceType<typeof h5wasm.Group> | null) ?? g.create_group(name.slice(0, slash)));
        parent.create_dataset({ name: name.slice(slash + 1), data: w.data, shape: w.shape, dtype: '<f4' });
      });
    }
  } finally {
    f.close();
  }
}

describe('loads .h5 files in the layouts Keras 1 and 2 wrote through h5py', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const layouts: [string, Layout][] = [
    ['Keras 2 save_weights (nested <layer>/kernel:0)', { style: 'keras2' }],
    ['Keras 2 model.save (/model_weights)', { style: 'keras2', wholeModel: true }],
    ['Keras 1 save_weights (<layer>_W:0)', { style: 'keras1' }],
    ['Keras 1, layer_names chunked into layer_names0/1', { style: 'keras1', chunked: true }],
  ];

  it.each(layouts)('%s', async (_name, layout) => {
    const file = join(dir, `${layout.style}${layout.wholeModel ? '-model' : ''}${layout.chunked ? '-chunked' : ''}.h5`);
    await writeH5(file, layout);
    const model = smallModel();
    try {
      // The names really are fixed-length byte strings, padded with NULs as numpy pads them.
      await h5wasm.ready;
      const f = new h5wasm.File(file, 'r');
      const group = (layout.wholeModel ? f.get('model_weights') : f) as InstanceType<typeof h5wasm.Group>;
      const attr = (group.attrs as Record<string, { metadata: { vlen: boolean; cset: number; size: number } }>)[layout.chunked ? 'layer_names0' : 'layer_names']!;
      expect(attr.metadata).toMatchObject({ vlen: false, cset: 0 });
      expect(attr.metadata.size).toBe(Math.max(...(layout.chunked ? LAYERS.slice(0, 2) : LAYERS).map((n) => n.length)));
      f.close();
      const { layers } = await loadKerasH5Weights(model, file);
      expect(layers).toEqual(['block1_conv1', 'predictions']);
      for (const [layer, ws] of Object.entries(WEIGHTS)) {
        const got = model.getLayer(layer).getWeights();
        expect(got.map((t) => t.shape)).toEqual(ws.map((w) => w.shape));
        got.forEach((t, i) => expect(t.dataSync(), `${layer} weight ${i}`).toEqual(ws[i]!.data));
      }
    } finally {
      model.dispose();
    }
  });

  it('names the file and the weight when a listed dataset is missing', async () => {
    const file = join(dir, 'missing-dataset.h5');
    await writeH5(file, { style: 'keras2' });
    // Drop one dataset by rewriting weight_names to a name that is not there.
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'a');
    const g = f.get('predictions') as InstanceType<typeof h5wasm.Group>;
    g.delete_attribute('weight_names');
    fixedStringAttr(g, 'weight_names', ['predictions/kernel:0', 'predictions/bias_1:0']);
    f.close();
    const model = smallModel();
    try {
      const err = (await loadKerasH5Weights(model, file).catch((e: unknown) => e)) as H5WeightsError;
      expect(err).toBeInstanceOf(H5WeightsError);
      expect(err.message).toContain(file);
      expect(err.message).toContain('"predictions/bias_1:0"');
    } finally {
      model.dispose();
    }
  });
});
