import { describe, expect, it } from 'vitest';
import { reliabilityCurve } from './reliability';

describe('calibration curve (hand-computed)', () => {
  it('bins by predicted probability and leaves empty bins out', () => {
    // bin [0.1,0.2): 0.15 (neg), 0.18 (pos); bin [0.9,1]: 0.95 (pos), 1.0 (pos)
    const c = reliabilityCurve([0.15, 0.18, 0.95, 1], [false, true, true, true], 10);
    expect(c).toHaveLength(2);
    expect(c[0]).toMatchObject({ count: 2, fractionPositive: 0.5 });
    expect(c[0]!.low).toBeCloseTo(0.1, 12);
    expect(c[0]!.meanPredicted).toBeCloseTo(0.165, 12);
    expect(c[1]).toMatchObject({ count: 2, fractionPositive: 1, high: 1 });
    expect(c[1]!.meanPredicted).toBeCloseTo(0.975, 12);
  });
  it('refuses probabilities outside [0, 1], naming the item', () => {
    expect(() => reliabilityCurve([0.2, 1.2], [true, false])).toThrow(/item 1/);
  });
});
