import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

describe('sha256Hex', () => {
  it('agrees with node:crypto on views into larger buffers', async () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    const view = big.subarray(123, 98_765);
    expect(await sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
    expect(await sha256Hex(new ArrayBuffer(0))).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
  });
});
