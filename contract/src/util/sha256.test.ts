import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256HexSync } from './sha256';

describe('sha256HexSync', () => {
  it('equals Node crypto on the standard vectors and on random inputs around the block boundaries', () => {
    expect(sha256HexSync('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexSync('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097]) {
      const b = randomBytes(n);
      expect(sha256HexSync(new Uint8Array(b)), `${n} bytes`).toBe(createHash('sha256').update(b).digest('hex'));
    }
    expect(sha256HexSync('42:ünïcode')).toBe(createHash('sha256').update('42:ünïcode').digest('hex'));
  });
});
