/**
 * Writes a graph model directory: model.json, hashed shards, metadata.json. The metadata's
 * hashes and model id are computed from the exact bytes written, then validated with the
 * contract's own parser before anything is renamed into place.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { version_core as tfjsVersion } from '@tensorflow/tfjs';
import { modelIdOf, parseModelMetadata, METADATA_SCHEMA_VERSION, type ModelMetadata, type WeightDtype } from '@respidetect/contract';
import { writeFileAtomic } from '../util/atomic';
import { sha256Hex } from '../util/hash';
import { chainOf, layersToGraph, INPUT_NAME, OUTPUT_NAMES, type LayerChain } from './layers-to-graph';
import { weightBytes, writeWeights } from './weights-writer';

export const TRAINING_VERSION = '0.1.0';

/** What the caller knows about the model beyond its graph: everything metadata.json needs. */
export type ModelFacts = Omit<
  ModelMetadata,
  'schemaVersion' | 'modelId' | 'inputSize' | 'pixelFormat' | 'weightDtype' | 'hashes' | 'outputs' | 'versions' | 'createdAt'
> & { createdAt?: string };

export interface WriteGraphModelOptions {
  /** The network: a LayersModel, or a chain such as the VGG16 base's layers followed by the head's. */
  model: tf.LayersModel | LayerChain;
  outDir: string;
  dtype: WeightDtype;
  shardBytes: number;
  caffeNormalisation: boolean;
  facts: ModelFacts;
}

export interface WrittenModel {
  metadata: ModelMetadata;
  modelJsonBytes: number;
  weightBytes: number;
  /** What the same weights would weigh in each dtype: the download-size trade-off. */
  weightBytesByDtype: Record<WeightDtype, number>;
  files: string[];
}

export function writeGraphModel(opts: WriteGraphModelOptions): WrittenModel {
  const chain = 'layers' in opts.model && !('predict' in opts.model) ? opts.model : chainOf(opts.model as tf.LayersModel);
  const graph = layersToGraph(chain, { caffeNormalisation: opts.caffeNormalisation });
  const weights = writeWeights(graph.builder.consts, opts.dtype, opts.shardBytes);
  const modelJson = {
    format: 'graph-model',
    generatedBy: `respidetect-training ${TRAINING_VERSION}`,
    convertedBy: `respidetect layers-to-graph (tfjs ${tfjsVersion})`,
    modelTopology: { node: graph.builder.nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: weights.manifest,
    signature: {
      inputs: { [INPUT_NAME]: { name: `${INPUT_NAME}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: graph.inputShape.map((d) => ({ size: String(d) })) } } },
      outputs: Object.fromEntries(graph.outputs.map((o) => [o, { name: `${o}:0`, dtype: 'DT_FLOAT' }])),
    },
  };
  const modelJsonText = JSON.stringify(modelJson);
  const modelJsonHash = sha256Hex(modelJsonText);
  const weightHashes = Object.fromEntries(weights.shards.map((s) => [s.fileName, s.sha256]));
  const modelId = modelIdOf(modelJsonHash, weights.shards.map((s) => s.sha256));
  const has = (o: string) => graph.outputs.includes(o);
  const metadata = parseModelMetadata({
    ...opts.facts,
    schemaVersion: METADATA_SCHEMA_VERSION,
    modelId,
    inputSize: graph.inputShape[1],
    pixelFormat: 'rgb-0-255',
    weightDtype: opts.dtype,
    hashes: { modelJson: modelJsonHash, weights: weightHashes },
    outputs: {
      probabilities: OUTPUT_NAMES.probabilities,
      logits: OUTPUT_NAMES.logits,
      ...(has(OUTPUT_NAMES.heatmap) ? { heatmap: OUTPUT_NAMES.heatmap } : {}),
      ...(has(OUTPUT_NAMES.embedding) ? { embedding: OUTPUT_NAMES.embedding } : {}),
    },
    versions: { tfjs: tfjsVersion, training: TRAINING_VERSION },
    createdAt: opts.facts.createdAt ?? new Date().toISOString(),
  });
  if (graph.classes !== metadata.classNames.length)
    throw new Error(`export: the model has ${graph.classes} outputs but ${metadata.classNames.length} class names`);

  mkdirSync(opts.outDir, { recursive: true });
  const keep = new Set(['model.json', 'metadata.json', ...weights.shards.map((s) => s.fileName)]);
  for (const s of weights.shards) writeFileAtomic(join(opts.outDir, s.fileName), s.bytes);
  writeFileAtomic(join(opts.outDir, 'model.json'), modelJsonText);
  // metadata.json last: its presence means the directory is complete.
  writeFileAtomic(join(opts.outDir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  // Shards of an earlier export are dead weight once metadata.json points elsewhere.
  for (const f of readdirSync(opts.outDir)) if (f.endsWith('.bin') && !keep.has(f)) rmSync(join(opts.outDir, f));
  const consts = graph.builder.consts;
  const weightBytesByDtype = { float32: weightBytes(consts, 'float32'), float16: weightBytes(consts, 'float16'), uint8: weightBytes(consts, 'uint8') };
  return { metadata, modelJsonBytes: Buffer.byteLength(modelJsonText), weightBytes: weights.totalBytes, weightBytesByDtype, files: [...keep] };
}
