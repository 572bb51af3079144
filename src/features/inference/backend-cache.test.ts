import { describe, expect, it } from 'vitest';
import { cacheKey, deviceKey, forcedBackend, readCachedBackend, writeCachedBackend, type CachedChoice } from './backend-cache';

/** localStorage's contract (strings in, strings or null out), for a test in Node where there is none. */
class StringStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
}

const choice: CachedChoice = { backend: 'wasm', entries: [{ backend: 'webgl', ok: false, error: 'slow' }, { backend: 'wasm', ok: true, ms: 42 }], at: '2026-01-02T03:04:05.000Z' };

describe('backend choice: forced, cached, or measured', () => {
  it('reads ?backend= and refuses an unknown one, listing the valid ones', () => {
    expect(forcedBackend('')).toBeNull();
    expect(forcedBackend('?testHooks=1')).toBeNull();
    expect(forcedBackend('?backend=webgl')).toBe('webgl');
    expect(forcedBackend('?x=1&backend=cpu')).toBe('cpu');
    expect(forcedBackend('?backend=webgpu')).toBe('webgpu');
    expect(() => forcedBackend('?backend=gpu')).toThrow('?backend=gpu is not a backend; use webgpu, webgl, wasm or cpu');
  });

  it('keys the cache by model and device, so a new model or GPU measures again', () => {
    const dev = deviceKey('Chrome/131', 'ANGLE (SwiftShader)', 2);
    expect(cacheKey('m1', dev)).not.toBe(cacheKey('m2', dev));
    expect(cacheKey('m1', dev)).not.toBe(cacheKey('m1', deviceKey('Chrome/131', 'ANGLE (NVIDIA)', 2)));
    expect(cacheKey('m1', dev)).not.toBe(cacheKey('m1', deviceKey('Chrome/132', 'ANGLE (SwiftShader)', 2)));
    expect(deviceKey('UA', null, 4)).toContain('no-webgl');
  });

  it('round-trips a choice through storage', () => {
    const s = new StringStorage();
    const key = cacheKey('m1', deviceKey('UA', 'GPU', 8));
    expect(readCachedBackend(s, key)).toBeNull();
    writeCachedBackend(s, key, choice);
    expect(readCachedBackend(s, key)).toEqual(choice);
  });

  it('ignores corrupt or foreign entries instead of trusting them', () => {
    const s = new StringStorage();
    s.setItem('k1', '{not json');
    s.setItem('k2', JSON.stringify({ ...choice, backend: 'webnn' }));
    s.setItem('k3', 'null');
    expect(readCachedBackend(s, 'k1')).toBeNull();
    expect(readCachedBackend(s, 'k2')).toBeNull();
    expect(readCachedBackend(s, 'k3')).toBeNull();
  });

  it('survives storage that throws (private mode, full quota): nothing cached, nothing thrown', () => {
    const denied = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(() => writeCachedBackend(denied, 'k', choice)).not.toThrow();
    expect(readCachedBackend(denied, 'k')).toBeNull();
  });
});
