import { describe, expect, it } from 'vitest';
import { binaryCounts, binaryFigures } from './binary';
import { wilsonInterval } from './proportion';

describe('sensitivity, specificity, PPV, NPV (hand-computed)', () => {
  // true adenocarcinoma (0): 8 called adeno, 2 normal; true normal (1): 3 called adeno, 7 normal
  const cm = [
    [8, 2],
    [3, 7],
  ];
  it('counts one class against the rest', () => {
    expect(binaryCounts(cm, 0)).toEqual({ tp: 8, fn: 2, fp: 3, tn: 7 });
    expect(binaryCounts(cm, 1)).toEqual({ tp: 7, fn: 3, fp: 2, tn: 8 });
  });
  it('gives the four figures with Wilson intervals and the prevalence', () => {
    const f = binaryFigures(cm, 0);
    expect(f.sensitivity.value).toBeCloseTo(0.8, 12);
    expect(f.specificity.value).toBeCloseTo(0.7, 12);
    expect(f.ppv.value).toBeCloseTo(8 / 11, 12);
    expect(f.npv.value).toBeCloseTo(7 / 9, 12);
    expect(f.prevalence).toBeCloseTo(0.5, 12);
    expect(f.ppv.ci95).toEqual(wilsonInterval(8, 11));
    expect(f.npv).toMatchObject({ successes: 7, total: 9 });
  });
  it('three classes: the other two are both "negative"', () => {
    const cm3 = [
      [3, 1, 0],
      [1, 4, 1],
      [2, 0, 5],
    ];
    const f = binaryFigures(cm3, 0);
    expect(f.counts).toEqual({ tp: 3, fn: 1, fp: 3, tn: 10 });
    expect(f.npv.value).toBeCloseTo(10 / 11, 12);
  });
  it('nothing called positive: PPV is 0 of 0 with the whole [0, 1] as its interval', () => {
    const f = binaryFigures(
      [
        [0, 5],
        [0, 5],
      ],
      0,
    );
    expect(f.ppv).toEqual({ value: 0, successes: 0, total: 0, ci95: [0, 1] });
    expect(f.sensitivity.value).toBe(0);
    expect(f.specificity.value).toBe(1);
  });
});

describe('binary figures from a multi-class matrix', () => {
  it('collapses to positive vs the rest, each rate with its counts; refuses a ragged matrix', () => {
    // 3 classes, positive = 0. Rows true, columns predicted.
    const f = binaryFigures([[40, 5, 5], [10, 30, 0], [2, 3, 5]], 0);
    expect(f.counts).toEqual({ tp: 40, fn: 10, fp: 12, tn: 38 });
    expect(f.sensitivity).toMatchObject({ successes: 40, total: 50, value: 0.8 });
    expect(f.specificity).toMatchObject({ successes: 38, total: 50, value: 0.76 });
    expect(f.ppv).toMatchObject({ successes: 40, total: 52 });
    expect(f.prevalence).toBe(0.5);
    expect(() => binaryFigures([[1, 2], [3]], 0)).toThrow(/square matrix/);
  });
});
