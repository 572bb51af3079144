/**
 * Verified model files (model-delivery) → a tfjs GraphModel, from memory: the bytes were checked
 * against metadata.json, so nothing is fetched again. Classify and Adapt both load models this way,
 * in the inference worker, on whichever backend it activated (features/inference/backends.ts).
 */
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { io } from '@tensorflow/tfjs-core';
import { checkMetadataAgainstGraph } from '@respidetect/contract';
import type { VerifiedModelFiles } from './verified-model-files';

/**
 * The loaded graph is checked against metadata.json before anyone uses it: every output metadata.json
 * names must be one of the graph's (the contract's checkMetadataAgainstGraph; a mismatch is a
 * ModelFileError 'inconsistent' naming the field, and the graph is disposed). The outputs' widths
 * (one probability per class name, an embedding as long as the OOD mean) need a run: the Classifier
 * checks them on its first one (warm-up or self-test probe), adaptation with graphOutputFacts.
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
    checkMetadataAgainstGraph(metadata, { names: model.outputNodes, widths: {} });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
