/** One image's views → base features: augment (view > 0) → contract resize → caffe → base. */
import type * as tfc from '@tensorflow/tfjs';
import { normalizeCaffe, rgbToInput } from '@respidetect/contract';
import { augmentRgb, viewParams } from './augment';

export interface ImageTask {
  sha256: string;
  rgb: Uint8Array;
  width: number;
  height: number;
  views: number[];
}

/** Features for each requested view, in order, each flattened: the model's output per image (block5_pool, or a split point's such as block4_pool). */
export function computeViews(tf: typeof tfc, base: tfc.LayersModel, task: ImageTask, imageSize: number): Float32Array[] {
  const out = tf.tidy(() => {
    const inputs = task.views.map((v) => {
      const p = viewParams(task.sha256, v);
      const rgb = p ? augmentRgb(tf, task.rgb, task.width, task.height, p) : task.rgb;
      return rgbToInput(tf, rgb, task.width, task.height, imageSize);
    });
    const batch = normalizeCaffe(tf, tf.concat(inputs, 0) as tfc.Tensor4D);
    return base.predict(batch) as tfc.Tensor;
  });
  try {
    const all = out.dataSync() as Float32Array;
    const per = all.length / task.views.length;
    return task.views.map((_, i) => all.slice(i * per, (i + 1) * per));
  } finally {
    out.dispose();
  }
}

/** Global average over the spatial positions of [h, w, c] features: the embedding for OOD stats. */
export function pooledEmbedding(features: Float32Array, channels: number): Float32Array {
  const positions = features.length / channels;
  const out = new Float32Array(channels);
  for (let p = 0; p < positions; p++) for (let c = 0; c < channels; c++) out[c]! += features[p * channels + c]!;
  for (let c = 0; c < channels; c++) out[c]! /= positions;
  return out;
}
