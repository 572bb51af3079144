/**
 * Fine-tuning block5 (`model.fine_tune_from: block5`). The base is split at block4_pool: blocks
 * 1–4 stay frozen, so their output is computed once and cached like the frozen-base features
 * (embeddings/ with `upTo`), and the trained network is block5 — initialised from the base's
 * weights — followed by the usual head. That network is what artifacts/head holds; the exporter
 * joins base[..block4_pool] with it (joinBaseAndHead), so the shipped graph carries the
 * fine-tuned block5.
 *
 * block5 learns at FINE_TUNE_LR_FACTOR × train.learning_rate: its ImageNet (or seeded) filters
 * are a good start that the head's full-size steps, taken while the head is still random, would
 * wreck; the usual transfer-learning recipe (Keras' fine-tuning guide, Chollet ch. 5) is a rate
 * about ten times smaller for the unfrozen convolutional block.
 */
import * as tf from '@tensorflow/tfjs';
import { pooledEmbedding } from '../embeddings/compute';
import { applyHead, type HeadConfig } from './head';

/** The frozen part ends at this layer for each block that can be fine-tuned. */
export const FINE_TUNE_SPLITS = { block5: 'block4_pool' } as const;
export type FineTuneFrom = keyof typeof FINE_TUNE_SPLITS;

/** block5's learning rate relative to train.learning_rate (the head's). */
export const FINE_TUNE_LR_FACTOR = 0.1;

export interface FineTunePlan {
  from: FineTuneFrom;
  /** Last frozen base layer: cached features come from here. */
  splitAt: string;
  lrFactor: number;
}

/** model.fine_tune_from → what to do; null keeps the whole base frozen. */
export function fineTunePlan(from: string | null | undefined): FineTunePlan | null {
  if (from === null || from === undefined) return null;
  if (!Object.hasOwn(FINE_TUNE_SPLITS, from))
    throw new Error(`model.fine_tune_from is ${JSON.stringify(from)}: it must be null (frozen base) or one of ${Object.keys(FINE_TUNE_SPLITS).map((k) => `"${k}"`).join(', ')}`);
  const f = from as FineTuneFrom;
  return { from: f, splitAt: FINE_TUNE_SPLITS[f], lrFactor: FINE_TUNE_LR_FACTOR };
}

/** The base's layers after the split point: the ones fine-tuning trains. */
export function layersAfter(base: tf.LayersModel, splitAt: string): tf.layers.Layer[] {
  const i = base.layers.findIndex((l) => l.name === splitAt);
  if (i < 0) throw new Error(`the base has no layer "${splitAt}" (layers: ${base.layers.map((l) => l.name).join(', ')})`);
  return base.layers.slice(i + 1);
}

/** A new, trainable layer with `layer`'s configuration and a copy of its weights, applied to x. */
function cloneOnto(layer: tf.layers.Layer, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (!entry) throw new Error(`cannot clone layer ${layer.name}: class ${layer.getClassName()} is not registered`);
  const [cls, fromConfig] = entry;
  const clone = fromConfig(cls, { ...layer.getConfig(), trainable: true }) as tf.layers.Layer;
  const y = clone.apply(x) as tf.SymbolicTensor;
  clone.setWeights(layer.getWeights());
  return y;
}

/**
 * block5 (copied from the base, trainable) + the head, taking split-point features of shape
 * cfg.featureShape. The base is only read; the caller still owns (and disposes) it.
 */
export function buildFineTuneModel(base: tf.LayersModel, plan: FineTunePlan, cfg: HeadConfig): tf.LayersModel {
  const input = tf.input({ shape: cfg.featureShape, name: 'features' });
  let x: tf.SymbolicTensor = input;
  for (const layer of layersAfter(base, plan.splitAt)) x = cloneOnto(layer, x);
  return tf.model({ inputs: input, outputs: applyHead(x, cfg), name: `finetune_${plan.from}` });
}

/** Learning-rate factors for fitHead's layerRates: every fine-tuned base layer at plan.lrFactor. */
export function fineTuneLayerRates(base: tf.LayersModel, plan: FineTunePlan): Record<string, number> {
  return Object.fromEntries(layersAfter(base, plan.splitAt).map((l) => [l.name, plan.lrFactor]));
}

/**
 * The network to export: the base's layers, except those the head redefines (a fine-tuned
 * block), then the head's. The replaced layers must be the base's tail, so the order holds.
 */
export function joinBaseAndHead(base: tf.LayersModel, head: tf.LayersModel): tf.layers.Layer[] {
  const redefined = new Set(head.layers.map((l) => l.name));
  const keep = base.layers.filter((l) => !redefined.has(l.name));
  const replaced = base.layers.length - keep.length;
  if (replaced > 0 && base.layers.slice(keep.length).some((l) => !redefined.has(l.name)))
    throw new Error(`the head redefines base layers that are not the base's last ones (${[...redefined].filter((n) => base.layers.some((l) => l.name === n)).join(', ')})`);
  const joinShape = JSON.stringify(keep.at(-1)!.outputShape);
  const headInput = JSON.stringify(head.inputs[0]!.shape);
  if (joinShape !== headInput) throw new Error(`the head takes ${headInput} but the base${replaced ? ` up to ${keep.at(-1)!.name}` : ''} gives ${joinShape}`);
  return [...keep, ...head.layers];
}

/**
 * Embeddings (global average of the last conv block, as the exported graph's `embedding` output)
 * of a fine-tuned network, from split-point features: the OOD statistics must describe the
 * block5 the graph ships, not the frozen one.
 */
export function fineTunedEmbeddings(model: tf.LayersModel, plan: FineTunePlan, rows: Float32Array[], shape: readonly number[], batchSize = 32): Float32Array[] {
  const lastBlock = model.layers.filter((l) => l.name.startsWith(`${plan.from}_`)).at(-1);
  if (!lastBlock) throw new Error(`the fine-tuned model has no ${plan.from} layers`);
  const trunk = tf.model({ inputs: model.inputs, outputs: lastBlock.output as tf.SymbolicTensor });
  const dim = shape.reduce((a, b) => a * b, 1);
  const out: Float32Array[] = [];
  for (let s = 0; s < rows.length; s += batchSize) {
    const part = rows.slice(s, s + batchSize);
    const buf = new Float32Array(part.length * dim);
    part.forEach((r, i) => buf.set(r, i * dim));
    const y = tf.tidy(() => trunk.predict(tf.tensor(buf, [part.length, ...shape])) as tf.Tensor);
    const flat = y.dataSync() as Float32Array;
    const per = flat.length / part.length;
    const channels = y.shape[y.shape.length - 1]!;
    y.dispose();
    for (let i = 0; i < part.length; i++) out.push(pooledEmbedding(flat.subarray(i * per, (i + 1) * per), channels));
  }
  return out;
}
