import { describe, expect, it } from 'vitest';
import { batchParam, batchSizeFor, DEFAULT_BATCH, MAX_BATCH } from './batch-size';

describe('batch size per backend', () => {
  it('runs WASM and CPU one image at a time, GPU backends in batches', () => {
    expect(batchSizeFor('wasm', null)).toBe(1);
    expect(batchSizeFor('cpu', null)).toBe(1);
    expect(batchSizeFor('webgl', null)).toBe(DEFAULT_BATCH.webgl);
    expect(batchSizeFor('webgpu', null)).toBe(DEFAULT_BATCH.webgpu);
    expect(DEFAULT_BATCH.webgl).toBeGreaterThan(1);
  });

  it('runs software WebGL (SwiftShader) one image at a time, where batches measured slower', () => {
    expect(batchSizeFor('webgl', null, Infinity, true)).toBe(1);
    expect(batchSizeFor('webgl', 4, Infinity, true)).toBe(4);
    expect(batchSizeFor('webgpu', null, Infinity, true)).toBe(DEFAULT_BATCH.webgpu);
  });

  it('lets ?batch= override the backend default', () => {
    expect(batchSizeFor('wasm', 4)).toBe(4);
    expect(batchSizeFor('webgl', 1)).toBe(1);
  });

  it('never exceeds a graph whose batch dimension is fixed', () => {
    expect(batchSizeFor('webgl', null, 1)).toBe(1);
    expect(batchSizeFor('wasm', 8, 1)).toBe(1);
    expect(batchSizeFor('wasm', 8, 2)).toBe(2);
    expect(batchSizeFor('webgpu', 8, Infinity)).toBe(8);
  });

  it('reads ?batch=N and refuses what is not a usable size', () => {
    expect(batchParam('')).toBeNull();
    expect(batchParam('?backend=wasm&threads=2')).toBeNull();
    expect(batchParam('?backend=wasm&batch=4')).toBe(4);
    expect(batchParam(`?batch=${MAX_BATCH}`)).toBe(MAX_BATCH);
    for (const bad of ['0', String(MAX_BATCH + 1), '1.5', 'four', '', '-2'])
      expect(() => batchParam(`?batch=${bad}`)).toThrow(`?batch=${bad} is not a batch size; use 1 to ${MAX_BATCH}`);
  });
});
