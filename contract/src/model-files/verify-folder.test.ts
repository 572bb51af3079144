import { describe, expect, it } from 'vitest';
import { ModelFileError, type ModelFileProblem } from './model-file-error';
import { verifyModelFolder, verifyModelFolderSync, type ModelFolderSync } from './verify-folder';
import { modelFolder, nodeSha256 } from '../../../testkit/models/memory-folder';

const fx = modelFolder();
const source = (files: Map<string, Uint8Array>): ModelFolderSync => ({ read: (f) => files.get(f), absent: 'is not in the folder' });
const edited = (file: string, bytes: Uint8Array | undefined) => {
  const files = new Map(fx.files);
  if (bytes) files.set(file, bytes);
  else files.delete(file);
  return source(files);
};
const flip = (b: Uint8Array) => {
  const c = b.slice();
  c[5] = c[5]! ^ 0x80;
  return c;
};

/** The asynchronous and the synchronous check must refuse alike; returns the (one) error. */
async function refusal(folder: ModelFolderSync): Promise<ModelFileError> {
  const err = await verifyModelFolder(folder, nodeSha256).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFileError);
  let syncErr: unknown;
  try {
    verifyModelFolderSync(folder, nodeSha256);
  } catch (e) {
    syncErr = e;
  }
  expect(syncErr).toEqual(err);
  expect({ ...(syncErr as ModelFileError) }).toEqual({ ...(err as ModelFileError) });
  return err as ModelFileError;
}

describe('verifyModelFolder', () => {
  it('accepts a complete folder and joins the shards in manifest order, synchronously or not', async () => {
    const v = await verifyModelFolder(source(fx.files), nodeSha256);
    expect(v.metadata.modelId).toBe(fx.metadata.modelId);
    expect(Array.from(v.weightData)).toEqual([...fx.files.get(fx.shards[0]!)!, ...fx.files.get(fx.shards[1]!)!]);
    expect(verifyModelFolderSync(source(fx.files), nodeSha256)).toEqual(v);
  });

  it('names files the folder\'s way when it says how (a path on disk)', () => {
    const folder = { ...edited(fx.shards[0]!, undefined), name: (f: string) => `/models/a/${f}` };
    expect(() => verifyModelFolderSync(folder, nodeSha256)).toThrow(expect.objectContaining({ file: `/models/a/${fx.shards[0]}`, kind: 'missing' }));
  });

  it('takes an asynchronous sha256 (WebCrypto) and asynchronous reads (File) alike', async () => {
    const v = await verifyModelFolder({ read: async (f) => fx.files.get(f), absent: 'x' }, async (b) => nodeSha256(b));
    expect(v.weightData.byteLength).toBe(fx.weightBytes);
  });

  const cases: [string, ModelFolderSync, string, ModelFileProblem, RegExp][] = [
    ['no metadata.json', edited('metadata.json', undefined), 'metadata.json', 'missing', /is missing: a model is model.json, its .bin shards and metadata.json/],
    ['no model.json', edited('model.json', undefined), 'model.json', 'missing', /is missing/],
    ['a missing shard', edited(fx.shards[1]!, undefined), fx.shards[1]!, 'missing', /is listed in model.json but is not in the folder/],
    ['metadata.json that is not JSON', edited('metadata.json', new TextEncoder().encode('{')), 'metadata.json', 'bad-json', /not valid JSON/],
    ['metadata.json off the schema', edited('metadata.json', new TextEncoder().encode(JSON.stringify({ ...fx.metadata, classNames: ['one'] }))), 'metadata.json', 'schema', /field "classNames"/],
    ['a tampered model.json', edited('model.json', flip(fx.files.get('model.json')!)), 'model.json', 'hash-mismatch', /sha256 [0-9a-f]{64} does not match metadata\.json/],
    ['a tampered shard', edited(fx.shards[0]!, flip(fx.files.get(fx.shards[0]!)!)), fx.shards[0]!, 'hash-mismatch', /sha256 [0-9a-f]{64} does not match metadata\.json/],
  ];
  it.each(cases)('refuses %s, naming the file and the kind', async (_, folder, file, kind, message) => {
    const err = await refusal(folder);
    expect(err.file).toBe(file);
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${file}: `)).toBe(true);
  });

  it('refuses shards that pass their hashes but not the manifest size (metadata.json re-hashed by hand)', async () => {
    const files = new Map(fx.files);
    const short = fx.files.get(fx.shards[1]!)!.subarray(1);
    files.set(fx.shards[1]!, short);
    const metadata = { ...fx.metadata, hashes: { ...fx.metadata.hashes, weights: { ...fx.metadata.hashes.weights, [fx.shards[1]!]: nodeSha256(short) } } };
    files.set('metadata.json', new TextEncoder().encode(JSON.stringify(metadata)));
    const err = await refusal(source(files));
    expect(err.kind).toBe('size-mismatch');
    expect(err.message).toMatch(/describes 2000 bytes but the shards hold 1999/);
  });
});
