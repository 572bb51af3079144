import { describe, expect, it } from 'vitest';
import { oodScore, rng, unlikeTrainingData } from '@respidetect/contract';
import { fitOod } from './ood';

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Points near a 2-D plane in 10-D: large variance in dims 0–1, small elsewhere. */
function sample(n: number, seed: number, offset = 0): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: 10 }, (_, d) => (d < 2 ? 5 : 0.2) * gaussian(r) + (d >= 2 ? offset : 0)));
}

describe('OOD statistics (probabilistic PCA)', () => {
  const train = sample(300, 1);
  const val = sample(100, 2);

  it('recovers the principal directions and lets the requested share of validation through', () => {
    const ood = fitOod(train, val, { components: 2, passRate: 0.95 });
    expect(ood.components).toHaveLength(2);
    // The kept components span dims 0 and 1.
    for (const c of ood.components) expect(c[0]! ** 2 + c[1]! ** 2).toBeGreaterThan(0.95);
    expect(ood.variances[0]).toBeGreaterThan(15);
    expect(ood.residualVariance).toBeGreaterThan(0.02);
    expect(ood.residualVariance).toBeLessThan(0.08);
    expect(ood.valPassRate).toBeGreaterThanOrEqual(0.95);
  });

  it('warns for points off the plane even when they sit at the mean of the main directions', () => {
    const ood = fitOod(train, val, { components: 2, passRate: 0.95 });
    const off = sample(50, 3, 1.5);
    const flagged = off.filter((e) => unlikeTrainingData(oodScore(e, ood), { ood })).length;
    expect(flagged).toBeGreaterThanOrEqual(48);
    const fresh = sample(200, 4).filter((e) => !unlikeTrainingData(oodScore(e, ood), { ood })).length;
    expect(fresh / 200).toBeGreaterThan(0.88);
  });

  it('refuses too little data', () => {
    expect(() => fitOod(train.slice(0, 2), val)).toThrow(/at least 3 training embeddings/);
    expect(() => fitOod(train, [])).toThrow(/validation embeddings/);
  });
});
