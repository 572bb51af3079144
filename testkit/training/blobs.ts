/** Two noisy Gaussian clusters in a [2, 2, 8] feature space: learnable, not trivially separable. */
import { rng } from '@respidetect/contract';
import type { FeatureMatrix } from '../../training/src/train/fit';

export const SHAPE: [number, number, number] = [2, 2, 8];
export const DIM = 32;

export function blobs(n: number, seed: number, ratio = 0.5): FeatureMatrix {
  const r = rng(seed);
  const x = new Float32Array(n * DIM);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r() < ratio ? 0 : 1;
    labels.push(y);
    for (let d = 0; d < DIM; d++) {
      const gauss = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
      x[i * DIM + d] = (d % 2 === y ? 0.6 : 0) + gauss;
    }
  }
  return { x, labels };
}
