/**
 * Node's reading of an exported model directory: the same files, the same contract and the
 * same post-processing as the browser. Parity tests and the `predict` command use it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelMetadata, type ModelMetadata } from '../../../src/contract/metadata';
import { prepareInput, type DecodedPixels } from '../../../src/contract/preprocess';
import { calibratedProbabilities, decide, oodScore, type Decision } from '../../../src/contract/postprocess';
import { sha256Hex } from '../util/hash';

export interface LoadedModel {
  model: tf.GraphModel;
  metadata: ModelMetadata;
}

/** Loads model.json + shards from disk, checking every sha256 in metadata.json first. */
export async function loadGraphModelDir(dir: string): Promise<LoadedModel> {
  const metadata = parseModelMetadata(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')));
  const modelJsonText = readFileSync(join(dir, 'model.json'));
  if (sha256Hex(modelJsonText) !== metadata.hashes.modelJson) throw new Error(`${join(dir, 'model.json')}: sha256 does not match metadata.json`);
  const modelJson = JSON.parse(modelJsonText.toString('utf8')) as tf.io.ModelJSON;
  const buffers: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const p of group.paths) {
      const bytes = readFileSync(join(dir, p));
      const expected = metadata.hashes.weights[p];
      if (!expected) throw new Error(`${join(dir, p)}: not listed in metadata.json hashes`);
      if (sha256Hex(bytes) !== expected) throw new Error(`${join(dir, p)}: sha256 does not match metadata.json (corrupt or tampered shard)`);
      buffers.push(bytes);
    }
    specs.push(...group.weights);
  }
  const weightData = Buffer.concat(buffers);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      signature: modelJson.signature,
    }),
  );
  return { model, metadata };
}

export interface Prediction {
  logits: number[];
  probabilities: number[];
  decision: Decision;
  oodScore?: number;
  heatmap?: { height: number; width: number; data: number[] };
}

/** One image through the graph: contract preparation → graph → contract post-processing. */
export async function predictPixels({ model, metadata }: LoadedModel, pixels: DecodedPixels): Promise<Prediction> {
  const names = [metadata.outputs.logits ?? metadata.outputs.probabilities];
  if (metadata.outputs.embedding) names.push(metadata.outputs.embedding);
  if (metadata.outputs.heatmap) names.push(metadata.outputs.heatmap);
  const input = prepareInput(tf, pixels, metadata.inputSize);
  try {
    const out = model.execute(input, names) as tf.Tensor[];
    try {
      const [first, ...rest] = await Promise.all(out.map((t) => t.data()));
      const logits = Array.from(first!);
      const probabilities = metadata.outputs.logits ? calibratedProbabilities(logits, metadata.temperature) : logits;
      const prediction: Prediction = { logits, probabilities, decision: decide(probabilities, metadata) };
      let i = 0;
      if (metadata.outputs.embedding) {
        const emb = rest[i++]!;
        if (metadata.ood) prediction.oodScore = oodScore(emb, metadata.ood);
      }
      if (metadata.outputs.heatmap) {
        const shape = out[names.length - 1]!.shape;
        prediction.heatmap = { height: shape[1]!, width: shape[2]!, data: Array.from(rest[i]!) };
      }
      return prediction;
    } finally {
      tf.dispose(out);
    }
  } finally {
    input.dispose();
  }
}
