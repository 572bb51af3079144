/**
 * A small VGG-style network (two conv blocks, Flatten → Dense softmax) with the same input
 * contract as VGG16: caffe-normalised NHWC. It trains in seconds, so the whole path
 * (train → export → browser) can be exercised on any machine.
 */
import * as tf from '@tensorflow/tfjs';

export function buildSmallVgg(imageSize: number, classes: number, seed: number): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed * 100 + offset });
  const model = tf.sequential({ name: 'small_vgg' });
  model.add(tf.layers.conv2d({ name: 'block1_conv1', inputShape: [imageSize, imageSize, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  model.add(tf.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2, strides: 2 }));
  model.add(tf.layers.conv2d({ name: 'block2_conv1', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  model.add(tf.layers.maxPooling2d({ name: 'block2_pool', poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'predictions', units: classes, activation: 'softmax', kernelInitializer: init(3) }));
  return model;
}
