/**
 * A copy of a CLI-trained model with out-of-distribution statistics, the way the pipeline's export
 * adds them: the model's own `embedding` output over its training images (the generated set),
 * reduced with the exporter's fitOod (probabilistic PCA, threshold from held-out images). The graph
 * and its hashes are untouched, so the model id stays the graph's; only metadata.json gains `ood`.
 */
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelMetadata, prepareInput, preprocessOf } from '@respidetect/contract';
import { initBackend } from '../../training/src/backend';
import { decodeImage } from '../../training/src/data/decode';
import { loadGraphModelDir } from '../../training/src/inference/graph-model';
import { fitOod } from '../../training/src/export/ood';
import { writeFileAtomic } from '../../training/src/util/atomic';

export async function withOodStats(modelDir: string, trainingImagesDir: string, outDir: string): Promise<{ dir: string; valPassRate: number }> {
  await initBackend();
  rmSync(outDir, { recursive: true, force: true });
  cpSync(modelDir, outDir, { recursive: true });
  const { model, metadata: meta } = await loadGraphModelDir(outDir);
  if (!meta.outputs.embedding) throw new Error(`${modelDir}: the model has no embedding output to fit OOD statistics on`);
  const files = readdirSync(trainingImagesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort();
  const train: Float32Array[] = [];
  const val: Float32Array[] = [];
  for (const [i, f] of files.entries()) {
    const pixels = await decodeImage(join(trainingImagesDir, f));
    const output = tf.tidy(() => model.execute(prepareInput(tf, pixels, meta.inputSize, preprocessOf(meta)), meta.outputs.embedding!) as tf.Tensor);
    const embedding = (await output.data()) as Float32Array;
    output.dispose();
    // Every fourth image is held out: the threshold is set on images the statistics did not see.
    (i % 4 === 3 ? val : train).push(embedding);
  }
  model.dispose();
  const { valPassRate, ...ood } = fitOod(train, val);
  const withOod = parseModelMetadata({ ...meta, ood });
  writeFileAtomic(join(outDir, 'metadata.json'), JSON.stringify(withOod, null, 2) + '\n');
  return { dir: outDir, valPassRate };
}
