/**
 * Verified model files (model-delivery) → a tfjs GraphModel, from memory: the bytes were checked
 * against metadata.json, so nothing is fetched again. Classify and Adapt both load models this way,
 * in the inference worker, on whichever backend it activated (features/inference/backends.ts).
 */
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { io } from '@tensorflow/tfjs-core';
import { verifyGraphAgainstMetadata } from '@respidetect/contract';
import type { VerifiedModelFiles } from './verified-model-files';

/**
 * The loaded graph is checked against metadata.json before anyone uses it (the contract's
 * verifyGraphAgainstMetadata: every output it names exists, the probability output has one value per
 * class name, the embedding is as long as the OOD mean), one run on a black image; a mismatch is a
 * ModelFileError 'inconsistent' naming the field, and the graph is disposed.
 */
export async function loadVerifiedGraph({ modelJson, weightData, metadata }: VerifiedModelFiles): Promise<GraphModel> {
  const artifacts: io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology as io.ModelArtifacts['modelTopology'],
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as io.WeightsManifestEntry[],
    weightData,
    format: modelJson.format as string | undefined,
    generatedBy: modelJson.generatedBy as string | undefined,
    convertedBy: modelJson.convertedBy as string | null | undefined,
    signature: modelJson.signature as object | undefined,
    userDefinedMetadata: modelJson.userDefinedMetadata as io.ModelArtifacts['userDefinedMetadata'],
  };
  const model = await loadGraphModel(io.fromMemory(artifacts));
  try {
    verifyGraphAgainstMetadata(tf, model, metadata);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
