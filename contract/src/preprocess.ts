/**
 * The model contract, part 2: the one pixel preparation both training and the browser run.
 * Everything between "decoded pixels" and "the graph's input tensor" happens here, with the
 * same tfjs ops on both sides, so training/inference skew has nowhere to hide.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { NO_PREPROCESS, normaliseSource, type PreprocessSpec } from './source-normalise';

type Tf = typeof tfc;

/** Decoded, 8-bit, row-major, interleaved pixels as sharp (Node) or ImageData (browser) give them. */
export interface DecodedPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (straight, not premultiplied, alpha). */
  channels: 1 | 2 | 3 | 4;
}

/** Keras 'caffe' mode means, in BGR order, as VGG16's ImageNet weights expect them. */
export const CAFFE_MEANS_BGR = [103.939, 116.779, 123.68] as const;

/**
 * The resize every image goes through: one bilinear op, these flags, nothing else.
 * halfPixelCenters matches TF2's tf.image.resize and keeps the image centred.
 */
export const RESIZE = { method: 'bilinear', alignCorners: false, halfPixelCenters: true } as const;

/**
 * Any layout → packed RGB. Transparent pixels are composited over black, because that is what a
 * browser canvas keeps of them (it stores premultiplied colour); doing the same in Node keeps
 * both sides equal.
 */
export function toRgb(p: DecodedPixels): Uint8Array {
  const { data, width, height, channels } = p;
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`toRgb: bad image size ${width}x${height}`);
  if (data.length !== n * channels)
    throw new Error(`toRgb: ${data.length} bytes do not fit ${width}x${height}x${channels}`);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    let r: number, g: number, b: number, a: number;
    if (channels <= 2) {
      r = g = b = data[s]!;
      a = channels === 2 ? data[s + 1]! : 255;
    } else {
      r = data[s]!;
      g = data[s + 1]!;
      b = data[s + 2]!;
      a = channels === 4 ? data[s + 3]! : 255;
    }
    if (a !== 255) {
      r = Math.round((r * a) / 255);
      g = Math.round((g * a) / 255);
      b = Math.round((b * a) / 255);
    }
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = b;
  }
  return out;
}

/** Packed RGB bytes → float32 [1, size, size, 3], RGB 0..255: the graph model's input. */
export function rgbToInput(tf: Tf, rgb: Uint8Array, width: number, height: number, size: number): tfc.Tensor4D {
  return tf.tidy(() => {
    const img = tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
    const resized = tf.image.resizeBilinear(img, [size, size], RESIZE.alignCorners, RESIZE.halfPixelCenters);
    return tf.expandDims(resized, 0) as tfc.Tensor4D;
  });
}

/**
 * Decoded pixels → the graph model's input tensor: RGB, then the model's source normalisation
 * (body crop, intensity; none for models that predate it), then the one resize.
 */
export function prepareInput(tf: Tf, pixels: DecodedPixels, size: number, spec: PreprocessSpec = NO_PREPROCESS): tfc.Tensor4D {
  const img = normaliseSource({ rgb: toRgb(pixels), width: pixels.width, height: pixels.height }, spec);
  return rgbToInput(tf, img.rgb, img.width, img.height, size);
}

/**
 * RGB 0..255 → what VGG16's ImageNet weights were trained on (BGR, mean-subtracted).
 * Training applies this in front of its LayersModel; the exporter bakes the same
 * arithmetic into the graph, so the browser never calls it.
 */
export function normalizeCaffe(tf: Tf, rgb: tfc.Tensor4D): tfc.Tensor4D {
  return tf.tidy(() => tf.sub(tf.reverse(rgb, -1), tf.tensor1d([...CAFFE_MEANS_BGR])) as tfc.Tensor4D);
}
