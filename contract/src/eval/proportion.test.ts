import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './proportion';

describe('Wilson 95% interval', () => {
  it('matches a published value (Newcombe 1998: 81/263 → 0.2553..0.3662)', () => {
    const p = wilsonInterval(81, 263);
    expect(p.value).toBeCloseTo(0.308, 3);
    expect(p.ci95[0]).toBeCloseTo(0.2553, 4);
    expect(p.ci95[1]).toBeCloseTo(0.3662, 4);
  });
  it('stays inside [0, 1] at 0/n and n/n, and says nothing at n = 0', () => {
    expect(wilsonInterval(0, 14).ci95[0]).toBe(0);
    expect(wilsonInterval(14, 14).ci95[1]).toBe(1);
    expect(wilsonInterval(14, 14).ci95[0]).toBeCloseTo(0.7847, 3);
    expect(Number.isNaN(wilsonInterval(0, 0).value)).toBe(true);
  });
  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/0 <= k <= n/);
  });
});
