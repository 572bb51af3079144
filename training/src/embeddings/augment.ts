/**
 * Augmented views, like Keras' ImageDataGenerator (rotation, shift, zoom, horizontal flip,
 * fill_mode 'nearest'), applied to the decoded pixels before the contract's resize. Every view's
 * parameters come from an RNG seeded by (image sha256, view index), so a view is the same image
 * in every run and can be cached. View 0 is the untouched image.
 */
import { createHash } from 'node:crypto';
import { rng } from '@respidetect/contract';
import type * as tfc from '@tensorflow/tfjs';

/** Changing any of these changes every augmented view: bump AUGMENT_VERSION with them (cache keys). */
export const AUGMENTATION = { rotationDeg: 15, shift: 0.1, zoom: 0.1, horizontalFlip: true } as const;
export const AUGMENT_VERSION = 1;

export interface ViewParams {
  rotationRad: number;
  /** Shift as a fraction of width / height. */
  tx: number;
  ty: number;
  /** >1 samples a larger area (zooms out), as in Keras. */
  zoom: number;
  flip: boolean;
}

export function viewParams(imageSha256: string, view: number): ViewParams | null {
  if (view === 0) return null;
  const seed = createHash('sha256').update(`${imageSha256}:${view}:${AUGMENT_VERSION}`).digest().readUInt32LE(0);
  const r = rng(seed);
  const u = (range: number) => (2 * r() - 1) * range;
  return {
    rotationRad: (u(AUGMENTATION.rotationDeg) * Math.PI) / 180,
    tx: u(AUGMENTATION.shift),
    ty: u(AUGMENTATION.shift),
    zoom: 1 + u(AUGMENTATION.zoom),
    flip: AUGMENTATION.horizontalFlip && r() < 0.5,
  };
}

/** The projective transform (output pixel → input pixel) tf.image.transform expects, as 8 numbers. */
export function transformMatrix(p: ViewParams, width: number, height: number): number[] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(p.rotationRad);
  const sin = Math.sin(p.rotationRad);
  const sx = (p.flip ? -1 : 1) * p.zoom;
  const sy = p.zoom;
  const m00 = cos * sx;
  const m01 = -sin * sy;
  const m10 = sin * sx;
  const m11 = cos * sy;
  const tx = p.tx * width;
  const ty = p.ty * height;
  return [m00, m01, cx - (m00 * cx + m01 * cy) + tx, m10, m11, cy - (m10 * cx + m11 * cy) + ty, 0, 0];
}

/** Packed RGB → the augmented packed RGB, same size, rounded back to bytes like a decoded image. */
export function augmentRgb(tf: typeof tfc, rgb: Uint8Array, width: number, height: number, p: ViewParams): Uint8Array {
  const out = tf.tidy(() => {
    const img = tf.tensor4d(Float32Array.from(rgb), [1, height, width, 3]);
    const t = tf.tensor2d([transformMatrix(p, width, height)], [1, 8]);
    const warped = tf.image.transform(img, t, 'bilinear', 'nearest', 0, [height, width]);
    return tf.clipByValue(tf.round(warped), 0, 255);
  });
  try {
    return Uint8Array.from(out.dataSync());
  } finally {
    out.dispose();
  }
}
