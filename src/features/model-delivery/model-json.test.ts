import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelIntegrityError } from './errors';
import { checkShardsMatchMetadata, expectedWeightBytes, parseModelJson, shardPaths } from './model-json';
import { sha256Hex } from './sha256';
import { createHash } from 'node:crypto';
import { writeFixtureModel } from './test/fixture';

describe('model.json parsing', () => {
  const fx = writeFixtureModel({ shardBytes: 20_000 });
  const text = readFileSync(join(fx.dir, 'model.json'), 'utf8');

  it('lists shards in manifest order and knows the weight bytes', () => {
    const m = parseModelJson(text);
    expect(shardPaths(m)).toEqual(fx.shards);
    expect(expectedWeightBytes(m)).toBe(fx.w1.byteLength + fx.w2.byteLength + fx.w3.byteLength);
  });

  it('counts quantized weights at their stored size (float16 = 2 bytes)', () => {
    const m = parseModelJson(
      JSON.stringify({
        modelTopology: {},
        weightsManifest: [
          { paths: ['a.bin'], weights: [{ name: 'k', shape: [3, 3, 64], dtype: 'float32', quantization: { dtype: 'float16' } }, { name: 'b', shape: [64], dtype: 'float32' }] },
          { paths: ['b.bin'], weights: [{ name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }] },
        ],
      }),
    );
    expect(expectedWeightBytes(m)).toBe(3 * 3 * 64 * 2 + 64 * 4 + 10);
    expect(shardPaths(m)).toEqual(['a.bin', 'b.bin']);
  });

  it('cannot size string weights in advance', () => {
    const m = parseModelJson(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 's', shape: [2], dtype: 'string' }] }] }));
    expect(expectedWeightBytes(m)).toBeNull();
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"weightsManifest":[]}', /no modelTopology/],
    ['{"modelTopology":{}}', /no weightsManifest/],
    ['{"modelTopology":{},"weightsManifest":[{"paths":[""],"weights":[]}]}', /paths must be an array of file names/],
    ['{"modelTopology":{},"weightsManifest":[{"paths":["a"],"weights":[{"name":"w","dtype":"float32","shape":[-1]}]}]}', /bad shape/],
  ])('refuses %s', (bad, msg) => {
    expect(() => parseModelJson(bad)).toThrow(msg);
    expect(() => parseModelJson(bad)).toThrow(ModelIntegrityError);
  });

  it('insists model.json and metadata.json describe the same shards', () => {
    const m = parseModelJson(text);
    expect(() => checkShardsMatchMetadata(m, fx.metadata)).not.toThrow();
    const lacking = { ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { [fx.shards[0]!]: fx.metadata.hashes.weights[fx.shards[0]!]! } } };
    expect(() => checkShardsMatchMetadata(m, lacking)).toThrow(/metadata.json: has no sha256 for shard\(s\) group1-shard2/);
    const extra = { ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { ...fx.metadata.hashes.weights, 'other.bin': 'a'.repeat(64) } } };
    expect(() => checkShardsMatchMetadata(m, extra)).toThrow(/model.json: does not list shard\(s\) other.bin/);
  });
});

describe('sha256Hex', () => {
  it('agrees with node:crypto on views into larger buffers', async () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    const view = big.subarray(123, 98_765);
    expect(await sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
    expect(await sha256Hex(new ArrayBuffer(0))).toBe(createHash('sha256').update(Buffer.alloc(0)).digest('hex'));
  });
});
