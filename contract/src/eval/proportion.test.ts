import { describe, expect, it } from 'vitest';
import { proportion, wilsonInterval } from './proportion';

describe('Wilson score interval (published values)', () => {
  // Newcombe (1998), Stat Med 17:857, Table I, method 3 (score interval without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i → [%f, %f]', (x, n, lo, hi) => {
    const [l, h] = wilsonInterval(x, n);
    expect(l).toBeCloseTo(lo, 4);
    expect(h).toBeCloseTo(hi, 4);
  });
  it('is symmetric under swapping successes and failures, and exact at the ends', () => {
    const [l, h] = wilsonInterval(3, 10);
    const [l2, h2] = wilsonInterval(7, 10);
    expect(l).toBeCloseTo(1 - h2, 12);
    expect(h).toBeCloseTo(1 - l2, 12);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
  });
  it('nothing observed: the value is 0 and the interval all of [0, 1]', () => {
    expect(proportion(0, 0)).toEqual({ value: 0, successes: 0, total: 0, ci95: [0, 1] });
  });
  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/0 <= successes <= total/);
    expect(() => wilsonInterval(1.5, 2)).toThrow(/integers/);
  });
});
