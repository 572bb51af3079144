/**
 * A copy of a CLI-trained model with out-of-distribution statistics, the way the pipeline's export
 * adds them: the model's own `embedding` output over its training images (the generated set),
 * reduced with the exporter's fitOod (probabilistic PCA, threshold from held-out images). The graph
 * and its hashes are untouched, so the model id stays the graph's; only metadata.json gains `ood`.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { parseModelMetadata, prepareInput } from '../../src/contract';
import { initBackend } from '../../training/src/backend';
import { fitOod } from '../../training/src/export/ood';
import { writeFileAtomic } from '../../training/src/util/atomic';

interface ModelJsonLike {
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export async function withOodStats(modelDir: string, trainingImagesDir: string, outDir: string): Promise<{ dir: string; valPassRate: number }> {
  await initBackend();
  rmSync(outDir, { recursive: true, force: true });
  cpSync(modelDir, outDir, { recursive: true });
  const meta = parseModelMetadata(JSON.parse(readFileSync(join(outDir, 'metadata.json'), 'utf8')));
  if (!meta.outputs.embedding) throw new Error(`${modelDir}: the model has no embedding output to fit OOD statistics on`);
  const modelJson = JSON.parse(readFileSync(join(outDir, 'model.json'), 'utf8')) as ModelJsonLike;
  const weightData = Buffer.concat(modelJson.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(outDir, p)))));
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
  const files = readdirSync(trainingImagesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort();
  const train: Float32Array[] = [];
  const val: Float32Array[] = [];
  for (const [i, f] of files.entries()) {
    const { data, info } = await sharp(join(trainingImagesDir, f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const embedding = tf.tidy(() => {
      const input = prepareInput(tf, { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 }, meta.inputSize);
      return (model.execute(input, meta.outputs.embedding) as tf.Tensor).dataSync() as Float32Array;
    });
    // Every fourth image is held out: the threshold is set on images the statistics did not see.
    (i % 4 === 3 ? val : train).push(embedding);
  }
  model.dispose();
  const { valPassRate, ...ood } = fitOod(train, val);
  const withOod = parseModelMetadata({ ...meta, ood });
  writeFileAtomic(join(outDir, 'metadata.json'), JSON.stringify(withOod, null, 2) + '\n');
  return { dir: outDir, valPassRate };
}
