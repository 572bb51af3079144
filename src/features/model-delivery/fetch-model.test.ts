import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModelFiles, ModelIntegrityError, NoModelError, type ModelLoadProgress, type VerifiedModelFiles } from './index';
import { writeFixtureModel, IN, type FixtureModel } from '../../../testkit/models/fixture-model';
import { startFileServer, type TestFileServer } from '../../../testkit/http/file-server';

let fx: FixtureModel;
let server: TestFileServer;
const fast = { backoffMs: 5 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  fx = writeFixtureModel({ shardBytes: 24 * 1024 });
  server = await startFileServer(fx.dir);
});
afterAll(() => server.close());

async function predict(files: VerifiedModelFiles, x: number[]): Promise<number[]> {
  const model = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: files.modelJson.modelTopology as object,
      weightSpecs: files.modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: files.weightData,
    }),
  );
  const input = tf.tensor2d([x], [1, IN]);
  const out = model.predict(input) as tf.Tensor;
  const values = Array.from(await out.data());
  tf.dispose([input, out]);
  model.dispose();
  return values;
}

describe('fetchModelFiles over real HTTP', () => {
  it('assembles verified shards that tfjs loads and runs to the right numbers, with byte progress', async () => {
    expect(fx.shards.length).toBeGreaterThanOrEqual(3);
    const events: ModelLoadProgress[] = [];
    const files = await fetchModelFiles(server.url, { ...fast, onProgress: (p) => events.push(p) });
    expect(files.metadata.modelId).toBe(fx.metadata.modelId);
    const total = fx.w1.byteLength + fx.w2.byteLength + fx.w3.byteLength;
    expect(files.weightData.byteLength).toBe(total);
    expect(events.every((e) => e.totalBytes === total && e.loadedBytes <= total)).toBe(true);
    expect(events.at(-1)!.loadedBytes).toBe(total);
    expect(new Set(events.map((e) => e.file).filter(Boolean))).toEqual(new Set(fx.shards));
    expect(files.stats.networkBytes).toBeGreaterThanOrEqual(total);

    const x = [0.5, -1, 2, 0.25];
    const got = await predict(files, x);
    fx.expected(x).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
  });

  it('repairs a shard that arrives corrupted once by fetching it again', async () => {
    const shard = fx.shards[1]!;
    server.fault(shard, { kind: 'corrupt' });
    const files = await fetchModelFiles(server.url, fast);
    expect(files.stats.refetched).toEqual([shard]);
    const x = [1, 2, 3, 4];
    const got = await predict(files, x);
    fx.expected(x).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
  });

  it('survives a dropped connection in the middle of a shard', async () => {
    const shard = fx.shards[0]!;
    const before = server.requests(shard).length;
    server.fault(shard, { kind: 'cut', afterBytes: 10_000 });
    const files = await fetchModelFiles(server.url, fast);
    expect(server.requests(shard).slice(before).map((h) => h.range ?? null)).toEqual([null, expect.stringMatching(/^bytes=\d+-$/)]);
    const x = [0, 0, 1, 0];
    const got = await predict(files, x);
    fx.expected(x).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
  });

  describe('a broken deployment', () => {
    let broken: TestFileServer;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'respidetect-broken-'));
      broken = await startFileServer(dir);
    });
    afterAll(() => broken.close());
    const deploy = (edit: (d: string) => void) => {
      const d = mkdtempSync(join(tmpdir(), 'respidetect-deploy-'));
      cpSync(fx.dir, d, { recursive: true });
      edit(d);
      broken.setRoot(d);
    };

    it('with no model at all is NoModelError', async () => {
      broken.setRoot(dir);
      await expect(fetchModelFiles(broken.url, fast)).rejects.toThrow(NoModelError);
    });

    it('answering an HTML page (SPA fallback) for metadata.json is NoModelError', async () => {
      const d = mkdtempSync(join(tmpdir(), 'respidetect-deploy-'));
      writeFileSync(join(d, 'metadata.json'), '<!doctype html><html></html>');
      broken.setRoot(d);
      await expect(fetchModelFiles(broken.url, fast)).rejects.toThrow(/HTML page for metadata.json/);
    });

    it('with a shard that is wrong on the server is ModelIntegrityError naming the shard, after one re-fetch', async () => {
      const shard = fx.shards[2]!;
      deploy((d) => {
        const b = readFileSync(join(d, shard));
        b[10] = b[10]! ^ 1;
        writeFileSync(join(d, shard), b);
      });
      const err = await fetchModelFiles(broken.url, fast).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelIntegrityError);
      expect((err as ModelIntegrityError).file).toBe(shard);
      expect((err as Error).message).toMatch(/sha256.*the server's copy fails too/);
      expect(broken.requests(shard)).toHaveLength(2);
    });

    it('with a missing shard names it', async () => {
      const shard = fx.shards[1]!;
      const d = mkdtempSync(join(tmpdir(), 'respidetect-deploy-'));
      for (const f of ['model.json', 'metadata.json', ...fx.shards.filter((s) => s !== shard)]) cpSync(join(fx.dir, f), join(d, f));
      broken.setRoot(d);
      await expect(fetchModelFiles(broken.url, fast)).rejects.toThrow(new RegExp(`${shard.replace(/\./g, '\\.')}: is listed in model.json but the server has no such file`));
    });

    it('with model.json from another export is ModelIntegrityError on model.json', async () => {
      deploy((d) => writeFileSync(join(d, 'model.json'), readFileSync(join(d, 'model.json'), 'utf8').replace('test fixture', 'test fixturE')));
      const err = await fetchModelFiles(broken.url, fast).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelIntegrityError);
      expect((err as ModelIntegrityError).file).toBe('model.json');
    });

    it('with invalid metadata names the field', async () => {
      deploy((d) => {
        const m = JSON.parse(readFileSync(join(d, 'metadata.json'), 'utf8')) as Record<string, unknown>;
        m.decisionThreshold = 2;
        writeFileSync(join(d, 'metadata.json'), JSON.stringify(m));
      });
      await expect(fetchModelFiles(broken.url, fast)).rejects.toThrow(/metadata.json: field "decisionThreshold" must be strictly between 0 and 1/);
    });

    it('that keeps failing with 503 is an error naming metadata.json, after retries', async () => {
      broken.setRoot(fx.dir);
      broken.fault('metadata.json', ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
      await expect(fetchModelFiles(broken.url, { ...fast, retries: 2 })).rejects.toThrow(/metadata.json.*3 attempts.*HTTP 503/);
    });
  });
});
