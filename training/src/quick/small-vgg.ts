/**
 * A small VGG-style network (two conv blocks, Flatten → Dense softmax) with the same input
 * contract as VGG16: caffe-normalised NHWC. It trains in seconds, so the whole path
 * (train → export → browser) can be exercised on any machine.
 */
import * as tf from '@tensorflow/tfjs';

export function buildSmallVgg(imageSize: number, classes: number, seed: number): tf.Sequential {
  // He initialisation, with the first layer scaled down by the input variance: caffe-normalised
  // pixels have a standard deviation near 60, and unscaled weights saturate the softmax at once.
  const INPUT_STD = 60;
  const he = (offset: number, inputScale = 1) =>
    tf.initializers.varianceScaling({ scale: 2 / (inputScale * inputScale), mode: 'fanIn', distribution: 'normal', seed: seed * 100 + offset });
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 100 + offset });
  const model = tf.sequential({ name: 'small_vgg' });
  model.add(tf.layers.conv2d({ name: 'block1_conv1', inputShape: [imageSize, imageSize, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(1, INPUT_STD) }));
  model.add(tf.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ name: 'block2_conv1', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(2) }));
  model.add(tf.layers.maxPooling2d({ name: 'block2_pool', poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'predictions', units: classes, activation: 'softmax', kernelInitializer: init(3) }));
  return model;
}
