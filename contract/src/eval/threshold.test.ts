import { describe, expect, it } from 'vitest';
import { chooseThreshold } from './threshold';

describe('decision threshold rule (hand-computed)', () => {
  // positives 0.9 0.8 0.7 0.6 0.2 ; negatives 0.65 0.1
  const scores = [0.9, 0.8, 0.7, 0.6, 0.2, 0.65, 0.1];
  const pos = [true, true, true, true, true, false, false];

  it('takes the k-th largest positive score, k = ceil(minSensitivity · positives)', () => {
    const c = chooseThreshold(scores, pos, 0.8);
    expect(c.threshold).toBe(0.6);
    expect(c.validationSensitivity).toBeCloseTo(0.8, 12);
    expect(c.validationSpecificity).toBeCloseTo(0.5, 12);
    const strict = chooseThreshold(scores, pos, 0.95);
    expect(strict.threshold).toBe(0.2);
    expect(strict.validationSensitivity).toBe(1);
    expect(strict.rule).toMatch(/highest threshold.*>= 0.95/);
  });

  it('no higher threshold would keep the sensitivity', () => {
    const c = chooseThreshold(scores, pos, 0.8);
    const above = scores.filter((s) => s > c.threshold);
    for (const t of above) {
      const sens = scores.filter((s, i) => pos[i] && s >= t).length / 5;
      expect(sens).toBeLessThan(0.8);
    }
  });

  it('stays strictly inside (0, 1) as metadata requires', () => {
    expect(chooseThreshold([1, 1], [true, false], 0.5).threshold).toBeLessThan(1);
    expect(chooseThreshold([0, 0.3], [true, false], 1).threshold).toBeGreaterThan(0);
  });

  it('refuses a validation split without positives', () => {
    expect(() => chooseThreshold([0.2], [false], 0.9)).toThrow(/no positive-class items/);
  });
});
