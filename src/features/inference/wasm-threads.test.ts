import { describe, expect, it } from 'vitest';
import { defaultWasmThreads, MAX_WASM_THREADS, threadsParam } from './wasm-threads';

describe('WASM thread count', () => {
  it('defaults to every logical core, capped at the pthread pool tfjs pre-spawns', () => {
    expect(defaultWasmThreads(2)).toBe(2);
    expect(defaultWasmThreads(6)).toBe(6);
    expect(defaultWasmThreads(32)).toBe(MAX_WASM_THREADS);
    // Browsers may hide the core count (undefined) or report nonsense: one thread is always safe.
    expect(defaultWasmThreads(undefined)).toBe(1);
    expect(defaultWasmThreads(0)).toBe(1);
  });

  it('reads ?threads=N and refuses what is not a usable count', () => {
    expect(threadsParam('')).toBeNull();
    expect(threadsParam('?backend=wasm')).toBeNull();
    expect(threadsParam('?backend=wasm&threads=2')).toBe(2);
    expect(threadsParam('?threads=1')).toBe(1);
    for (const bad of ['0', '9', '1.5', 'two', '', '-1'])
      expect(() => threadsParam(`?threads=${bad}`)).toThrow(`?threads=${bad} is not a thread count; use 1 to 8`);
  });
});
