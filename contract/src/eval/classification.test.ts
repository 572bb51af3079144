import { describe, expect, it } from 'vitest';
import { accuracyOf, confusionMatrix, majorityClass, perClassMetrics, sensitivitySpecificity } from './classification';

describe('classification figures (hand-computed)', () => {
  // labels 0,0,1,1,1 ; predictions 0,1,1,1,0 → [[1,1],[1,2]]
  const cm = confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2);

  it('confusion matrix has true classes as rows', () => {
    expect(cm).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(accuracyOf(cm)).toBeCloseTo(3 / 5, 12);
  });

  it('precision, recall, F1 and support per class', () => {
    const m = perClassMetrics(cm, ['a', 'b']);
    expect(m.a).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.b!.precision).toBeCloseTo(2 / 3, 12);
    expect(m.b!.recall).toBeCloseTo(2 / 3, 12);
    expect(m.b!.f1).toBeCloseTo(2 / 3, 12);
  });

  it('sensitivity/specificity of one class against the rest, also with three classes', () => {
    const s = sensitivitySpecificity(cm, 1);
    expect(s.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(s.specificity).toBeCloseTo(1 / 2, 12);
    // 3 classes, positive 0: TP 3, FN 1+0, FP 1+2, TN 4+1+0+5=10
    const cm3 = [
      [3, 1, 0],
      [1, 4, 1],
      [2, 0, 5],
    ];
    const s3 = sensitivitySpecificity(cm3, 0);
    expect(s3.sensitivity).toBeCloseTo(3 / 4, 12);
    expect(s3.specificity).toBeCloseTo(10 / 13, 12);
  });

  it('a class never predicted has precision 0 and F1 0, not NaN', () => {
    const m = perClassMetrics(confusionMatrix([0, 1, 1], [1, 1, 1], 2), ['a', 'b']);
    expect(m.a).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(m.b!.f1).toBeCloseTo(0.8, 12); // p = 2/3, r = 1
  });

  it('rejects out-of-range classes and mismatched lengths, naming the item', () => {
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/item 1/);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/1 labels but 2 predictions/);
  });

  it('majority class takes the lowest index on a tie', () => {
    expect(majorityClass([1, 1, 0], 2)).toBe(1);
    expect(majorityClass([1, 0], 2)).toBe(0);
  });
});
