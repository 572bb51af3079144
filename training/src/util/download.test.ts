import { randomBytes, createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLoopback, serveBytes, type Loopback } from '../../../testkit/http/loopback';
import { downloadFile } from './download';

process.env.RESPIDETECT_QUIET = '1';
const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const md5 = createHash('md5').update(body).digest('hex');

let dir: string;
let server: Loopback | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dl-test-'));
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('downloadFile', () => {
  it('downloads, verifies sha256 and md5, and serves a second call from the cache', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, body, { ranges: true }));
    const dest = join(dir, 'full.bin');
    const r = await downloadFile({ url: `${server.url}/f.bin`, dest, sha256: sha, md5 });
    expect(r).toEqual({ path: dest, bytes: body.length, sha256: sha });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    await downloadFile({ url: `${server.url}/f.bin`, dest, sha256: sha });
    expect(server.requests).toHaveLength(1);
  });

  it('resumes with a Range request after the server drops the connection mid-body', async () => {
    server = await startLoopback((req, res, n) => serveBytes(req, res, body, { ranges: true, cutAt: n === 1 ? 120_000 : undefined }));
    const dest = join(dir, 'resumed.bin');
    const r = await downloadFile({ url: `${server.url}/f.bin`, dest, sha256: sha, retries: 3 });
    expect(r.sha256).toBe(sha);
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1]!.headers.range ?? '')?.[1]);
    // The second request asks only for what is missing, not the whole file again.
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(120_000);
  });

  it('restarts cleanly from zero when the server ignores Range', async () => {
    server = await startLoopback((req, res, n) => serveBytes(req, res, body, { ranges: false, cutAt: n === 1 ? 100_000 : undefined }));
    const dest = join(dir, 'restarted.bin');
    await downloadFile({ url: `${server.url}/f.bin`, dest, sha256: sha, retries: 2 });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('never leaves a file that looks complete when every attempt is cut short', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, body, { ranges: false, cutAt: 1000 }));
    const dest = join(dir, 'never.bin');
    await expect(downloadFile({ url: `${server.url}/f.bin`, dest, retries: 1 })).rejects.toThrow(/never\.bin failed after 2 attempts/);
    expect(existsSync(dest)).toBe(false);
  });

  it('deletes the part file and names file, expected and actual on a checksum mismatch', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, body, { ranges: true }));
    const dest = join(dir, 'bad.bin');
    const wrong = '0'.repeat(64);
    await expect(downloadFile({ url: `${server.url}/f.bin`, dest, sha256: wrong })).rejects.toThrow(
      new RegExp(`sha256 mismatch for .*bad\\.bin\\.part: expected ${wrong}, got ${sha}`),
    );
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });

  it('replaces a stale file at dest whose checksum does not match', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, body, { ranges: true }));
    const dest = join(dir, 'stale.bin');
    writeFileSync(dest, 'old contents');
    await downloadFile({ url: `${server.url}/f.bin`, dest, sha256: sha });
    expect(readFileSync(dest).equals(body)).toBe(true);
  });

  it('fails at once on 401 without retrying and without leaking the credentials', async () => {
    server = await startLoopback((_req, res) => res.writeHead(401, { 'Content-Type': 'text/plain' }).end('nope'));
    const secret = Buffer.from('alice:s3cr3t-key').toString('base64');
    const err = await downloadFile({
      url: `${server.url}/f.bin?token=also-secret`,
      dest: join(dir, 'auth.bin'),
      headers: { Authorization: `Basic ${secret}` },
      retries: 3,
    }).then(
      () => new Error('expected a rejection'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('also-secret');
    expect(server.requests).toHaveLength(1);
  });
});
