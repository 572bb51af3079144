/**
 * Keras .h5 weights → a tfjs-layers model, by layer name. Follows Keras' own loader
 * (`load_weights_from_hdf5_group`): the root attribute `layer_names` lists the layer groups, each
 * group's `weight_names` lists its datasets in the order of the layer's weights (kernel, bias).
 * Long attributes are split by Keras into `name0`, `name1`, …; those are read too.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import type * as tf from '@tensorflow/tfjs';
import { tensor } from '@tensorflow/tfjs';

export class H5WeightsError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'H5WeightsError';
  }
}

type Attrs = Record<string, { value: unknown }>;

// h5py writes numpy byte strings fixed-length and NUL-padded; h5wasm may hand them back padded.
const clean = (s: string): string => s.replace(/[\0 ]+$/, '');

function asStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const list: unknown[] = typeof value === 'string' ? [value] : ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? clean(v) : v instanceof Uint8Array ? clean(new TextDecoder().decode(v)) : String(v)));
}

/** Keras' load_attributes_from_hdf5_group: `name`, or the chunks `name0`, `name1`, … */
function readStringAttr(attrs: Attrs, name: string): string[] | undefined {
  if (name in attrs) return asStrings(attrs[name]!.value);
  if (!(`${name}0` in attrs)) return undefined;
  const out: string[] = [];
  for (let i = 0; `${name}${i}` in attrs; i++) out.push(...asStrings(attrs[`${name}${i}`]!.value));
  return out;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** h5wasm logs and returns a dead handle for a non-HDF5 file instead of throwing, so look first. */
function assertHdf5(path: string): void {
  let head: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(8);
      readSync(fd, head, 0, 8, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new H5WeightsError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!head.equals(HDF5_SIGNATURE)) throw new H5WeightsError(path, 'is not an HDF5 file (no HDF5 signature at its start)');
}

const fmt = (shape: readonly (number | bigint)[]): string => `[${shape.join(',')}]`;

export interface LoadedWeights {
  /** Names of the model layers that received weights, in model order. */
  layers: string[];
}

/**
 * Loads every weighted layer of `model` from the Keras .h5 at `path`. Fails, naming the layer,
 * when a layer is missing from the file, has a different number of weights, or a shape differs;
 * fails too when the file holds weights for a layer the model does not have (a wrong file).
 */
export async function loadKerasH5Weights(model: tf.LayersModel, path: string): Promise<LoadedWeights> {
  assertHdf5(path);
  await h5wasm.ready;
  let file: InstanceType<typeof h5wasm.File>;
  try {
    file = new h5wasm.File(path, 'r');
  } catch (err) {
    throw new H5WeightsError(path, `cannot be opened as HDF5 (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    // Files from model.save() keep the weights under /model_weights; weight-only files at the root.
    const root = file.get('model_weights');
    const group = root instanceof h5wasm.Group ? root : file;
    const layerNames = readStringAttr(group.attrs as Attrs, 'layer_names');
    if (!layerNames) throw new H5WeightsError(path, 'has no "layer_names" attribute; it is not a Keras weights file');

    // name → that layer's datasets, for file layers that have weights.
    const fileLayers = new Map<string, { name: string; shape: number[]; read: () => Float32Array }[]>();
    for (const name of layerNames) {
      const g = group.get(name);
      if (!(g instanceof h5wasm.Group)) throw new H5WeightsError(path, `lists layer "${name}" in layer_names but has no group for it`);
      const lg = g;
      const weightNames = readStringAttr(lg.attrs as Attrs, 'weight_names') ?? [];
      if (weightNames.length === 0) continue;
      fileLayers.set(
        name,
        weightNames.map((wn) => {
          const ds = lg.get(wn);
          if (!(ds instanceof h5wasm.Dataset)) throw new H5WeightsError(path, `layer "${name}": weight "${wn}" is listed in weight_names but missing`);
          const d = ds;
          return {
            name: wn,
            shape: (d.shape ?? []).map(Number),
            read: () => {
              const v = d.value;
              if (v instanceof Float32Array) return v;
              if (v instanceof Float64Array) return Float32Array.from(v);
              throw new H5WeightsError(path, `layer "${name}": weight "${wn}" is not a float dataset (dtype ${String(d.dtype)})`);
            },
          };
        }),
      );
    }

    const loaded: string[] = [];
    const assignments: [tf.LayerVariable, tf.Tensor][] = [];
    try {
      for (const layer of model.layers) {
        const vars = layer.weights;
        if (vars.length === 0) continue;
        const entries = fileLayers.get(layer.name);
        if (!entries)
          throw new H5WeightsError(path, `layer "${layer.name}" is not in the file (layers with weights there: ${[...fileLayers.keys()].join(', ') || 'none'})`);
        if (entries.length !== vars.length)
          throw new H5WeightsError(path, `layer "${layer.name}" has ${entries.length} weights in the file, the model expects ${vars.length}`);
        vars.forEach((v, i) => {
          const e = entries[i]!;
          const expected = v.shape.map((d) => d ?? -1);
          if (e.shape.length !== expected.length || e.shape.some((d, k) => d !== expected[k]))
            throw new H5WeightsError(
              path,
              `layer "${layer.name}": weight "${e.name}" has shape ${fmt(e.shape)}, the model expects ${fmt(expected)} for ${v.name}`,
            );
          assignments.push([v, tensor(e.read(), expected, 'float32')]);
        });
        fileLayers.delete(layer.name);
        loaded.push(layer.name);
      }
      if (fileLayers.size > 0)
        throw new H5WeightsError(path, `holds weights for layers the model does not have: ${[...fileLayers.keys()].join(', ')}`);
      // Only write once everything checked out, so a bad file never leaves a half-loaded model.
      for (const [v, t] of assignments) v.write(t);
    } finally {
      for (const [, t] of assignments) t.dispose();
    }
    return { layers: loaded };
  } finally {
    file.close();
  }
}
