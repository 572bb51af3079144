/**
 * Node's reading of an exported model directory: the same files, the same contract and the
 * same post-processing as the browser. `validate`, the export stage's checks, parity tests and benches use it.
 */
import * as tf from '@tensorflow/tfjs';
import { verifyGraphAgainstMetadata, type ModelMetadata, prepareInput, preprocessOf, type DecodedPixels, classOutput, decide, oodScore, heatmapMaps, type Decision, type Heatmap } from '@respidetect/contract';
import { readVerifiedModelDir } from './model-dir';

export interface LoadedModel {
  model: tf.GraphModel;
  metadata: ModelMetadata;
}

/** Loads model.json + shards from disk, checking every sha256 in metadata.json first and the graph against metadata.json after. */
export async function loadGraphModelDir(dir: string): Promise<LoadedModel> {
  const { metadata, modelJson, weightData } = readVerifiedModelDir(dir);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
      signature: modelJson.signature as object | undefined,
    }),
  );
  try {
    verifyGraphAgainstMetadata(tf, model, metadata);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata };
}

export interface Prediction {
  logits: number[];
  probabilities: number[];
  decision: Decision;
  oodScore?: number;
  /** One map per class, as the app draws it (contract heatmapMaps). */
  heatmap?: Heatmap;
}

/** One image through the graph: contract preparation → graph → contract post-processing. */
export async function predictPixels({ model, metadata }: LoadedModel, pixels: DecodedPixels): Promise<Prediction> {
  const names = [metadata.outputs.logits ?? metadata.outputs.probabilities];
  if (metadata.outputs.embedding) names.push(metadata.outputs.embedding);
  if (metadata.outputs.heatmap) names.push(metadata.outputs.heatmap);
  const input = prepareInput(tf, pixels, metadata.inputSize, preprocessOf(metadata));
  try {
    const out = model.execute(input, names) as tf.Tensor[];
    try {
      const [first, ...rest] = await Promise.all(out.map((t) => t.data()));
      const { logits, probabilities } = classOutput(first!, metadata);
      const prediction: Prediction = { logits, probabilities, decision: decide(probabilities, metadata) };
      let i = 0;
      if (metadata.outputs.embedding) {
        const emb = rest[i++]!;
        if (metadata.ood) prediction.oodScore = oodScore(emb, metadata.ood);
      }
      if (metadata.outputs.heatmap) {
        prediction.heatmap = heatmapMaps(rest[i]!, out[names.length - 1]!.shape);
      }
      return prediction;
    } finally {
      tf.dispose(out);
    }
  } finally {
    input.dispose();
  }
}
