import { describe, expect, it } from 'vitest';
import { formatBytes, percent } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [28 * 1024 * 1024, '28.0 MB'],
    [1.5 * 1024 ** 3, '1.5 GB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%s → %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('percent', () => {
  it('shows 100 only when every byte is in', () => {
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(0, 1000)).toBe(0);
    expect(percent(2000, 1000)).toBe(100);
    expect(percent(5, 0)).toBe(0);
  });
});
