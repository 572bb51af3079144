import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelIntegrityError, verifyLocalModelFiles } from './index';
import { writeFixtureModel } from '../../../testkit/models/fixture-model';

const fx = writeFixtureModel({ shardBytes: 30_000 });
const file = (name: string, edit?: (b: Buffer) => void) => {
  const b = readFileSync(join(fx.dir, name));
  edit?.(b);
  return new File([b], name);
};
const all = () => ['model.json', 'metadata.json', ...fx.shards].map((n) => file(n));

describe('verifyLocalModelFiles', () => {
  it('accepts a complete export and concatenates shards in manifest order', async () => {
    const files = all().reverse();
    const v = await verifyLocalModelFiles(files);
    expect(v.metadata.modelId).toBe(fx.metadata.modelId);
    const w = new Float32Array(v.weightData);
    expect(w.length).toBe(fx.w1.length + fx.w2.length + fx.w3.length);
    expect(w[0]).toBe(fx.w1[0]);
    expect(w[fx.w1.length]).toBe(fx.w2[0]);
    expect(w.at(-1)).toBe(fx.w3.at(-1));
  });

  it('names a corrupted shard', async () => {
    const bad = fx.shards[1]!;
    const files = all().map((f) => (f.name === bad ? file(bad, (b) => (b[5] = b[5]! ^ 0x80)) : f));
    const err = await verifyLocalModelFiles(files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as ModelIntegrityError).file).toBe(bad);
    expect((err as Error).message).toMatch(/sha256 .* does not match metadata.json/);
  });

  it('names a missing shard, a missing metadata.json and a duplicate', async () => {
    const missing = fx.shards[0]!;
    await expect(verifyLocalModelFiles(all().filter((f) => f.name !== missing))).rejects.toThrow(`${missing}: is listed in model.json but was not among the dropped files`);
    await expect(verifyLocalModelFiles(all().filter((f) => f.name !== 'metadata.json'))).rejects.toThrow(/metadata.json: is missing/);
    await expect(verifyLocalModelFiles([...all(), file('model.json')])).rejects.toThrow(/model.json: was dropped twice/);
  });

  it('refuses metadata.json that is not the contract, naming the field', async () => {
    const files = all().map((f) =>
      f.name === 'metadata.json' ? new File([JSON.stringify({ ...fx.metadata, classNames: ['only-one'] })], 'metadata.json') : f,
    );
    await expect(verifyLocalModelFiles(files)).rejects.toThrow(/metadata.json: field "classNames" must have at least 2 entries/);
  });
});
