/**
 * A VGG16-architecture graph model without training: the real base (seeded random weights, Keras
 * layer names) plus the default Flatten → Dense head, exported by the real exporter. Parity at
 * VGG16 scale (13 fused convs, float16 weights) needs the network, not a trained one.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../training/src/backend';
import { writeGraphModel } from '../../training/src/export/write-model';
import { buildVgg16Base } from '../../training/src/model/vgg16';

/** VGG16 base (seeded random weights) → Flatten → Dense logits → softmax, as one LayersModel. */
export function buildVggClassifier(imageSize: number): tf.LayersModel {
  const base = buildVgg16Base({ imageSize, seed: 3 });
  const flat = tf.layers.flatten({ name: 'head_flatten' }).apply(base.outputs[0]!) as tf.SymbolicTensor;
  // Weights of this size give logits of a few units that differ between images (random VGG16
  // features of different CT slices are alike), so probabilities spread without saturating and
  // a parity tolerance of 1e-3 is small against that spread.
  const logits = tf.layers.dense({ name: 'logits', units: 2, kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.1, seed: 4 }) }).apply(flat) as tf.SymbolicTensor;
  const probs = tf.layers.activation({ name: 'probabilities', activation: 'softmax' }).apply(logits) as tf.SymbolicTensor;
  return tf.model({ inputs: base.inputs, outputs: probs });
}

export const UNTRAINED_FACTS = (imageSize: number) => ({
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  datasetVersion: 'untrained',
  metrics: { accuracy: 0.5 },
  decisionThreshold: 0.5,
  temperature: 1,
  trainingRunId: 'untrained-vgg16',
  architecture: `VGG16 (random weights) + flatten head, ${imageSize}px: for parity tests and benches only`,
});

export async function exportVggModel(outDir: string, imageSize: number, dtype: 'float32' | 'float16' = 'float16'): Promise<string> {
  await initBackend();
  const model = buildVggClassifier(imageSize);
  writeGraphModel({
    model,
    outDir,
    dtype,
    shardBytes: 4 * 1024 * 1024,
    caffeNormalisation: true,
    facts: UNTRAINED_FACTS(imageSize),
  });
  model.dispose();
  return outDir;
}
