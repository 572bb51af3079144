import { describe, expect, it } from 'vitest';
import { ModelFileError } from './model-file-error';
import { checkShardsMatchMetadata, expectedWeightBytes, joinShards, parseModelJson, shardPaths } from './model-json';
import { modelFolder } from '../../../testkit/models/memory-folder';

describe('model.json parsing', () => {
  const fx = modelFolder();

  it('lists shards in manifest order and knows the weight bytes', () => {
    const m = parseModelJson(fx.files.get('model.json')!);
    expect(shardPaths(m)).toEqual(fx.shards);
    expect(expectedWeightBytes(m)).toBe(fx.weightBytes);
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
    ['not json', /not valid JSON/, 'bad-json'],
    ['[]', /JSON object/, 'schema'],
    ['{"weightsManifest":[]}', /no modelTopology/, 'schema'],
    ['{"modelTopology":{}}', /no weightsManifest/, 'schema'],
    ['{"modelTopology":{},"weightsManifest":[{"paths":[""],"weights":[]}]}', /paths must be an array of file names/, 'schema'],
    ['{"modelTopology":{},"weightsManifest":[{"paths":["a"],"weights":[{"name":"w","dtype":"float32","shape":[-1]}]}]}', /bad shape/, 'schema'],
  ])('refuses %s', (bad, msg, kind) => {
    const err = (() => {
      try {
        parseModelJson(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).message).toMatch(msg);
    expect((err as ModelFileError).kind).toBe(kind);
    expect((err as ModelFileError).file).toBe('model.json');
  });

  it('insists model.json and metadata.json describe the same shards', () => {
    const m = parseModelJson(fx.files.get('model.json')!);
    expect(() => checkShardsMatchMetadata(m, fx.metadata)).not.toThrow();
    const first = fx.shards[0]!;
    const lacking = { ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { [first]: fx.metadata.hashes.weights[first]! } } };
    expect(() => checkShardsMatchMetadata(m, lacking)).toThrow(/metadata.json: has no sha256 for shard\(s\) group1-shard2/);
    const extra = { ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { ...fx.metadata.hashes.weights, 'other.bin': 'a'.repeat(64) } } };
    expect(() => checkShardsMatchMetadata(m, extra)).toThrow(/model.json: does not list shard\(s\) other.bin/);
  });

  it('joins shards in order and refuses a byte count the manifest does not describe', () => {
    const m = parseModelJson(fx.files.get('model.json')!);
    const parts = fx.shards.map((s) => fx.files.get(s)!);
    const joined = joinShards(m, parts);
    expect(joined.byteLength).toBe(fx.weightBytes);
    expect(Array.from(joined.subarray(parts[0]!.byteLength, parts[0]!.byteLength + 4))).toEqual(Array.from(parts[1]!.subarray(0, 4)));
    const short = [parts[0]!, parts[1]!.subarray(1)];
    expect(() => joinShards(m, short)).toThrow(expect.objectContaining({ kind: 'size-mismatch', file: 'model.json' }));
  });
});
