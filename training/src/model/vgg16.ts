/**
 * VGG16's convolutional base (Keras `VGG16(include_top=False)`), built in tfjs-layers with Keras'
 * own layer names so its ImageNet .h5 loads by name and a fine-tune can address "block5".
 * The input is caffe-normalised pixels (contract normalizeCaffe); the base never normalises,
 * because the exported graph puts normalisation in front of it exactly once.
 */
import * as tf from '@tensorflow/tfjs';

/** [block, conv layers in it, filters]: the architecture in one table. */
export const VGG16_BLOCKS: ReadonlyArray<readonly [block: number, convs: number, filters: number]> = [
  [1, 2, 64],
  [2, 2, 128],
  [3, 3, 256],
  [4, 3, 512],
  [5, 3, 512],
];

/** Channels of the last block's output. */
export const VGG16_FEATURE_CHANNELS = 512;

/** The base halves its input five times. */
export const VGG16_STRIDE = 32;

/** Layer names in order, pooling layers included: block1_conv1 … block5_pool. */
export const VGG16_LAYER_NAMES: readonly string[] = VGG16_BLOCKS.flatMap(([b, convs]) => [
  ...Array.from({ length: convs }, (_, i) => `block${b}_conv${i + 1}`),
  `block${b}_pool`,
]);

export interface BuildOptions {
  imageSize: number;
  /** Seed for the random initialisation (used when no weights are loaded afterwards). */
  seed?: number;
}

/** Shape of the base's output for an input size: [size/32, size/32, 512]. */
export function featureShape(imageSize: number): [number, number, number] {
  if (!Number.isInteger(imageSize) || imageSize < VGG16_STRIDE || imageSize % VGG16_STRIDE !== 0)
    throw new Error(`VGG16 input size must be a positive multiple of ${VGG16_STRIDE}, got ${imageSize}`);
  const s = imageSize / VGG16_STRIDE;
  return [s, s, VGG16_FEATURE_CHANNELS];
}

export function buildVgg16Base({ imageSize, seed = 0 }: BuildOptions): tf.LayersModel {
  featureShape(imageSize);
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'input_1' });
  let x: tf.SymbolicTensor = input;
  let layerIndex = 0;
  for (const [b, convs, filters] of VGG16_BLOCKS) {
    for (let i = 1; i <= convs; i++) {
      x = tf.layers
        .conv2d({
          name: `block${b}_conv${i}`,
          filters,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          // Keras' defaults, seeded per layer so `--weights none` is reproducible.
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + layerIndex++ }),
          biasInitializer: 'zeros',
        })
        .apply(x) as tf.SymbolicTensor;
    }
    x = tf.layers.maxPooling2d({ name: `block${b}_pool`, poolSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: 'vgg16' });
}
