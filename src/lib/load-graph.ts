/**
 * Verified model files (model-delivery) → a tfjs GraphModel, from memory: the bytes were checked
 * against metadata.json, so nothing is fetched again. Classify and Adapt both load models this way,
 * in the inference worker, on whichever backend it activated (features/inference/backends.ts).
 */
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { io } from '@tensorflow/tfjs-core';
import type { VerifiedModelFiles } from './verified-model-files';

export function loadVerifiedGraph({ modelJson, weightData }: VerifiedModelFiles): Promise<GraphModel> {
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
  return loadGraphModel(io.fromMemory(artifacts));
}
