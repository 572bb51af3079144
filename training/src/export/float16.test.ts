import { describe, expect, it } from 'vitest';
import { toFloat16Bits } from './float16';

// Reference values from IEEE 754 binary16 tables.
describe('float16 encoding', () => {
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [65520, 0x7c00], // rounds up to Inf
    [1e9, 0x7c00],
    [6.103515625e-5, 0x0400], // smallest normal
    [5.960464477539063e-8, 0x0001], // smallest subnormal
    [1e-9, 0x0000],
    [1 + 2 ** -11, 0x3c00], // tie → even
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
    [0.1, 0x2e66],
    [Infinity, 0x7c00],
  ])('%f → 0x%s', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });
  it('NaN stays NaN', () => {
    const b = toFloat16Bits(NaN);
    expect(b & 0x7c00).toBe(0x7c00);
    expect(b & 0x3ff).not.toBe(0);
  });
});
