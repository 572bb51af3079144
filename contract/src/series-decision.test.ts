import { describe, expect, it } from 'vitest';
import { decideSeries, summariseSlices } from './series-decision';

const meta = { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, decisionThreshold: 0.4 };

describe('series decision (any slice at or above the threshold)', () => {
  it('is positive when one slice reaches the threshold, and states the rule', () => {
    expect(decideSeries([0.1, 0.4, 0.2], meta)).toEqual({
      positive: true,
      label: 'adenocarcinoma',
      slicesAtOrAbove: 1,
      slices: 3,
      rule: "positive (adenocarcinoma) if any slice's probability is at or above the model's threshold 0.400",
    });
  });
  it('is negative when every slice is below', () => {
    expect(decideSeries([0.39, 0.1], meta)).toMatchObject({ positive: false, label: 'not adenocarcinoma', slicesAtOrAbove: 0, slices: 2 });
  });
  it('refuses an empty series', () => {
    expect(() => decideSeries([], meta)).toThrow(/at least one scored slice/);
  });
});

describe('summariseSlices', () => {
  it('gives the highest score, the first slice that has it, and the mean; refuses no slices', () => {
    const s = summariseSlices([0.2, 0.9, 0.4, 0.9]);
    expect([s.max, s.top]).toEqual([0.9, 1]);
    expect(s.mean).toBeCloseTo(0.6, 12);
    expect(() => summariseSlices([])).toThrow('no scored slice');
  });
});
