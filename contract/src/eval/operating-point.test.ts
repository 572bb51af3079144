import { describe, expect, it } from 'vitest';
import { operatingPoint } from './operating-point';

describe('operating point from a confusion matrix', () => {
  it('counts positive vs the rest and gives each rate its counts', () => {
    // 3 classes, positive = 0. Rows true, columns predicted.
    const op = operatingPoint([[40, 5, 5], [10, 30, 0], [2, 3, 5]], 0);
    expect([op.tp, op.fn, op.fp, op.tn]).toEqual([40, 10, 12, 38]);
    expect(op.sensitivity).toMatchObject({ k: 40, n: 50, value: 0.8 });
    expect(op.specificity).toMatchObject({ k: 38, n: 50, value: 0.76 });
    expect(op.ppv).toMatchObject({ k: 40, n: 52 });
    expect(op.npv).toMatchObject({ k: 38, n: 48 });
    expect(op.prevalence.value).toBe(0.5);
    expect(op.sensitivity.ci95[0]).toBeLessThan(0.8);
    expect(op.sensitivity.ci95[1]).toBeGreaterThan(0.8);
  });
  it('an empty denominator is NaN, not a made-up rate', () => {
    expect(Number.isNaN(operatingPoint([[0, 0], [0, 5]], 0).ppv.value)).toBe(true);
  });
  it('refuses a ragged matrix', () => {
    expect(() => operatingPoint([[1, 2], [3]], 0)).toThrow(/square matrix/);
  });
});
