import { describe, expect, it } from 'vitest';
import { bootstrapAucCi, quantile, rocAuc, rocCurve } from './roc';

const trapezoid = (pts: { fpr: number; tpr: number }[]) =>
  pts.slice(1).reduce((a, p, i) => a + ((p.fpr - pts[i]!.fpr) * (p.tpr + pts[i]!.tpr)) / 2, 0);

describe('ROC (hand-computed)', () => {
  // scikit-learn's doc example: y = [0,0,1,1], scores = [0.1,0.4,0.35,0.8] → AUC 0.75
  const scores = [0.1, 0.4, 0.35, 0.8];
  const pos = [false, false, true, true];

  it('AUC of the scikit-learn example is 0.75', () => {
    expect(rocAuc(scores, pos)).toBeCloseTo(0.75, 12);
  });

  it('curve visits one point per distinct score', () => {
    expect(rocCurve(scores, pos).map((p) => [p.fpr, p.tpr, p.threshold])).toEqual([
      [0, 0, Infinity],
      [0, 0.5, 0.8],
      [0.5, 0.5, 0.4],
      [0.5, 1, 0.35],
      [1, 1, 0.1],
    ]);
  });

  it('ties count one half; area under the tie-aware curve equals the rank AUC', () => {
    // positives {0.5, 0.9} vs negatives {0.2, 0.5}: 1 + ½ + 1 + 1 = 3.5 of 4 pairs
    const s = [0.2, 0.5, 0.5, 0.9];
    const p = [false, true, false, true];
    expect(rocAuc(s, p)).toBeCloseTo(0.875, 12);
    expect(trapezoid(rocCurve(s, p))).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.3, 0.3, 0.3], [true, false, false])).toBeCloseTo(0.5, 12);
  });

  it('refuses a single-class input', () => {
    expect(() => rocAuc([0.1, 0.2], [true, true])).toThrow(/both classes/);
  });

  it('bootstrap CI is seeded, brackets the AUC, and collapses for a perfect ranking', () => {
    const n = 60;
    const s = Array.from({ length: n }, (_, i) => ((i * 37) % n) / n);
    const p = s.map((v, i) => v + ((i % 7) - 3) / 10 > 0.5);
    const auc = rocAuc(s, p);
    const a = bootstrapAucCi(s, p, 300, 7);
    const b = bootstrapAucCi(s, p, 300, 7);
    const c = bootstrapAucCi(s, p, 300, 8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.resamples).toBe(300);
    expect(a.low).toBeLessThan(auc);
    expect(a.high).toBeGreaterThan(auc);
    expect(a.high - a.low).toBeLessThan(0.4);
    const perfect = bootstrapAucCi([0.1, 0.2, 0.8, 0.9], [false, false, true, true], 100, 1);
    expect([perfect.low, perfect.high]).toEqual([1, 1]);
  });

  it('quantile interpolates linearly like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.025)).toBeCloseTo(0.25, 12);
  });
});
