import { describe, expect, it } from 'vitest';
import { chooseThreshold, placeThreshold } from './threshold';

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

describe('threshold fallback (placeThreshold)', () => {
  // 25 negatives at 0.05..0.29 and one at 0.95; 10 positives at 0.6..0.96.
  const negatives = Array.from({ length: 25 }, (_, i) => 0.05 + i * 0.01);
  const positives = Array.from({ length: 10 }, (_, i) => 0.6 + i * 0.04);

  it('keeps the sensitivity-first rule when validation has >= 20 negatives and specificity >= 0.5', () => {
    const c = placeThreshold([...positives, ...negatives], [...positives.map(() => true), ...negatives.map(() => false)], 0.9);
    expect(c.placedBy).toBe('min-sensitivity');
    expect(c.fallbackReason).toBeNull();
    expect(c.threshold).toBeCloseTo(0.64, 12);
    expect(c.validationNegatives).toBe(25);
    expect(c.validationSpecificity).toBe(1);
  });

  it('falls back to 0.5 with fewer than 20 negatives, and says why', () => {
    const few = negatives.slice(0, 19);
    const c = placeThreshold([...positives, ...few], [...positives.map(() => true), ...few.map(() => false)], 0.9);
    expect(c).toMatchObject({ threshold: 0.5, placedBy: 'fallback', validationNegatives: 19, validationSensitivity: 1, validationSpecificity: 1 });
    expect(c.fallbackReason).toBe('validation has 19 negatives, fewer than 20: too few to place a sensitivity-first threshold');
    expect(c.rule).toMatch(/^fallback: 0\.5 on the calibrated positive-class probability/);
  });

  it('falls back when the rule would call most validation negatives positive', () => {
    // One positive scored 0.01 drags the 100%-sensitivity threshold below every negative.
    const scores = [...positives, 0.01, ...negatives];
    const labels = [...positives.map(() => true), true, ...negatives.map(() => false)];
    const c = placeThreshold(scores, labels, 1);
    expect(c.placedBy).toBe('fallback');
    expect(c.fallbackReason).toMatch(/^the sensitivity-first threshold 0\.01000 gives validation specificity 0\.000, below 0\.5$/);
    expect(c.threshold).toBe(0.5);
    expect(c.validationSpecificity).toBe(1);
    expect(c.validationSensitivity).toBeCloseTo(10 / 11, 12);
  });
});
