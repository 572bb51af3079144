// The real entry point under load: 10,000 requests at 50 connections with no errors, and SIGTERM in
// the middle of downloads: they complete, new connections are refused, and the process exits 0.
import autocannon from 'autocannon';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrecompressedFixture, type Fixture } from '../../testkit/server/fixture';
import { request } from '../../testkit/server/http';
import { spawnServer, waitForLog, type ChildServer } from '../../testkit/server/spawn';

let fx: Fixture;
const children: ChildServer[] = [];

beforeAll(async () => {
  fx = await makePrecompressedFixture({ shardBytes: 64 * 1024 });
});

afterAll(() => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  fx?.cleanup();
});

describe('load', () => {
  it('serves 10,000 requests at 50 connections with 0 errors and 0 non-2xx', async () => {
    const s = await spawnServer({ ROOT: fx.root, LOG_LEVEL: 'info' });
    children.push(s);
    const result = await autocannon({
      url: `http://127.0.0.1:${s.port}`,
      connections: 50,
      amount: 10_000,
      timeout: 10,
      requests: [
        { method: 'GET', path: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } },
        { method: 'GET', path: fx.files.js, headers: { 'accept-encoding': 'gzip, deflate, br' } },
        { method: 'GET', path: '/results/7' },
        { method: 'GET', path: fx.files.shard2 },
        { method: 'GET', path: '/model/metadata.json' },
      ],
    });
    console.log(JSON.stringify({ load: { requests: result.requests.total, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, rps: result.requests.average, p99ms: result.latency.p99 } }));
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBeGreaterThanOrEqual(10_000);
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    // One JSON log line per request (plus listening / shutting down / stopped).
    const requestLines = s.lines.filter((l) => l.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThanOrEqual(10_000);
  });
});

describe('SIGTERM under load', () => {
  it('lets in-flight downloads finish, refuses new connections, exits 0 within 10 s', async () => {
    // Big enough that the response cannot sit whole in loopback socket buffers.
    const big = randomBytes(24 * 1024 * 1024);
    const bigName = `/model/big.${createHash('sha256').update(big).digest('hex').slice(0, 16)}.bin`;
    fs.writeFileSync(path.join(fx.root, bigName), big);
    const s = await spawnServer({ ROOT: fx.root, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '8000' });
    children.push(s);

    const background = autocannon({ url: `http://127.0.0.1:${s.port}`, connections: 20, duration: 4, requests: [{ method: 'GET', path: '/' }] });

    // Three slow readers: each pauses right after the headers, so its response is mid-flight at SIGTERM.
    const downloads = Array.from({ length: 3 }, () => {
      let resumeFn: () => void = () => undefined;
      let started: () => void = () => undefined;
      const headers = new Promise<void>((r) => (started = r));
      const done = new Promise<{ status: number; sha: string; bytes: number }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: s.port, path: bigName, agent: false }, (res) => {
          res.pause();
          started();
          const hash = createHash('sha256');
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            hash.update(c);
            bytes += c.length;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, sha: hash.digest('hex'), bytes }));
          res.on('error', reject);
          resumeFn = () => res.resume();
        });
        req.on('error', reject);
      });
      return { done, headers, resume: () => resumeFn() };
    });
    // Every download has its response headers: all three are mid-flight.
    await Promise.all(downloads.map((d) => d.headers));

    const termAt = Date.now();
    s.child.kill('SIGTERM');
    // Logged right before server.close() in the same tick: from here the listener is closed.
    await waitForLog(s, 'shutting down');
    // The listening socket is closed: a new connection is refused.
    await expect(request({ name: 'after-term', host: '127.0.0.1', port: s.port }, '/healthz')).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
    expect(s.child.exitCode).toBeNull(); // still draining
    for (const d of downloads) d.resume();

    const expected = createHash('sha256').update(big).digest('hex');
    for (const d of downloads) {
      const r = await d.done;
      expect(r).toEqual({ status: 200, sha: expected, bytes: big.length });
    }
    const { code } = await s.exited;
    const elapsed = Date.now() - termAt;
    const bg = await background;
    console.log(JSON.stringify({ sigterm: { exitCode: code, msToExit: elapsed, backgroundRequests: bg.requests.total, background2xx: bg['2xx'], backgroundNon2xx: bg.non2xx } }));
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    expect(bg['2xx']).toBeGreaterThan(0);
    expect(bg.non2xx).toBe(0);
  });
});
