import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, NotFoundError } from './download';
import { ModelDownloadError } from './errors';
import { writeFixtureModel, type FixtureModel } from '../../../testkit/models/fixture-model';
import { startFileServer, type TestFileServer } from '../../../testkit/http/file-server';

let model: FixtureModel;
let server: TestFileServer;
let shard: string;
let bytes: Buffer;

beforeAll(async () => {
  model = writeFixtureModel({ shardBytes: 48 * 1024 });
  server = await startFileServer(model.dir);
  shard = model.shards[0]!;
  bytes = readFileSync(join(model.dir, shard));
});
afterAll(() => server.close());

const fast = { backoffMs: 5 };

describe('download', () => {
  it('downloads a file whole and reports progress up to its size', async () => {
    const seen: [number, number | null][] = [];
    const got = await download(server.url + shard, shard, { ...fast, onProgress: (l, t) => seen.push([l, t]) });
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
    for (const [l, t] of seen) expect(l).toBeLessThanOrEqual(t!);
  });

  it('retries 5xx answers with backoff and then succeeds', async () => {
    const before = server.requests(shard).length;
    server.fault(shard, { kind: 'status', status: 503 }, { kind: 'status', status: 502 });
    const got = await download(server.url + shard, shard, fast);
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    expect(server.requests(shard).length - before).toBe(3);
  });

  it('resumes an interrupted body with Range + If-Range and splices it exactly', async () => {
    const before = server.requests(shard).length;
    server.fault(shard, { kind: 'cut', afterBytes: 20_000 });
    const loaded: number[] = [];
    const got = await download(server.url + shard, shard, { ...fast, onProgress: (l) => loaded.push(l) });
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    const reqs = server.requests(shard).slice(before);
    expect(reqs).toHaveLength(2);
    // Only what was missing is asked for again, and only if the file is still the same one.
    expect(reqs[1]!.range).toMatch(/^bytes=(\d+)-$/);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(reqs[1]!.range!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(bytes.length);
    expect(reqs[1]!['if-range']).toMatch(/^"/);
    // Progress never went backwards on a resume.
    for (let i = 1; i < loaded.length; i++) expect(loaded[i]!).toBeGreaterThanOrEqual(loaded[i - 1]!);
  });

  it('restarts cleanly when the server ignores Range, and progress falls back to zero', async () => {
    server.fault(shard, { kind: 'cut', afterBytes: 20_000 }, { kind: 'ignore-range' });
    const loaded: number[] = [];
    const got = await download(server.url + shard, shard, { ...fast, onProgress: (l) => loaded.push(l) });
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    expect(loaded).toContain(0);
    expect(Math.max(...loaded)).toBe(bytes.length);
  });

  it('fails at once on 404 with NotFoundError naming the file', async () => {
    const err = await download(server.url + 'nope.bin', 'nope.bin', fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(server.requests('nope.bin')).toHaveLength(1);
  });

  it('gives up after its retries with ModelDownloadError naming the file and the last cause', async () => {
    server.fault(shard, ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const err = await download(server.url + shard, shard, { ...fast, retries: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelDownloadError);
    expect((err as ModelDownloadError).file).toBe(shard);
    expect((err as Error).message).toMatch(/3 attempts.*HTTP 500/);
  });

  it('does not retry a 403', async () => {
    const before = server.requests(shard).length;
    server.fault(shard, { kind: 'status', status: 403 });
    await expect(download(server.url + shard, shard, fast)).rejects.toThrow(/HTTP 403/);
    expect(server.requests(shard).length - before).toBe(1);
  });

  it('stops when aborted, even while backing off', async () => {
    server.fault(shard, { kind: 'status', status: 503 });
    const ac = new AbortController();
    const p = download(server.url + shard, shard, { signal: ac.signal, backoffMs: 10_000 });
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await expect(p).rejects.toThrow(/abort/i);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
