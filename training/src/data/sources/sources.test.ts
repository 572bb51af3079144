import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveBytes, startLoopback, type Loopback } from '../../../../testkit/http/loopback';
import { makeZip, makeZipSlip, rawZip } from '../../../../testkit/training/zip';
import { confirmUrlFromHtml } from './gdrive';
import { resolveSource } from '.';

process.env.RESPIDETECT_QUIET = '1';
let dir: string;
let zip: Buffer;
let zipSha: string;
let server: Loopback | undefined;
let n = 0;
const cacheDir = () => join(dir, `cache-${n++}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sources-test-'));
  // Big enough (incompressible) that a cut mid-body is a real partial download.
  const noise = randomBytes(200_000);
  zip = await makeZip([
    { name: 'Data/train/normal/a.png', data: noise },
    { name: 'Data/test/normal/b.png', data: Buffer.from('b') },
  ]);
  zipSha = createHash('sha256').update(zip).digest('hex');
  return () => rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('zip URL source', () => {
  it('resumes an interrupted download, checks the sha256, extracts, and reuses both next time', async () => {
    server = await startLoopback((req, res, i) => serveBytes(req, res, zip, { ranges: true, cutAt: i === 1 ? 50_000 : undefined }));
    const cache = cacheDir();
    const url = `${server.url}/chest-ct.zip`;
    const src = await resolveSource(url, { cacheDir: cache, sha256: zipSha });
    expect(src.kind).toBe('url');
    expect(readFileSync(join(src.dir, 'Data/test/normal/b.png'), 'utf8')).toBe('b');
    expect(server.requests.map((r) => r.headers.range ?? null)).toEqual([null, expect.stringMatching(/^bytes=[1-9]\d*-$/)]);
    const again = await resolveSource(url, { cacheDir: cache, sha256: zipSha });
    expect(again.dir).toBe(src.dir);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a zip-slip archive with a clear error', async () => {
    const evil = await makeZipSlip('../../outside.png', Buffer.from('x'));
    server = await startLoopback((req, res) => serveBytes(req, res, evil, { ranges: true }));
    await expect(resolveSource(`${server.url}/evil.zip`, { cacheDir: cacheDir() })).rejects.toThrow(/refusing to extract: entry "\.\.\/\.\.\/outside\.png" would be written outside the target folder \(zip-slip/);
  });

  it('refuses a zip of 3,000 entries of exactly 1 MiB (3 GB from 3 MB), typed, extracting nothing', async () => {
    const mib = Buffer.alloc(2 ** 20);
    const deflated = deflateRawSync(mib);
    const bomb = rawZip(Array.from({ length: 3000 }, (_, i) => ({ name: `Data/normal/${i}.png`, data: mib, deflated })));
    server = await startLoopback((req, res) => serveBytes(req, res, bomb, { ranges: true }));
    const cache = cacheDir();
    const err = await resolveSource(`${server.url}/many.zip`, { cacheDir: cache }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'inflate-limit', message: expect.stringMatching(/refusing to extract: its entries declare more than \d+ MiB in all/) });
    expect(existsSync(join(cache, 'extracted')) ? readdirSync(join(cache, 'extracted')) : []).toEqual([]);
  });

  it('refuses a download that is not a zip (an HTML page), typed', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, Buffer.from('<!DOCTYPE html><html>quota exceeded</html>'), { ranges: true }));
    const err = await resolveSource(`${server.url}/page.zip`, { cacheDir: cacheDir() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsupported-format', message: expect.stringMatching(/page\.zip: the download is not a zip archive/) });
  });

  it('rejects a download whose sha256 differs from data.sha256', async () => {
    server = await startLoopback((req, res) => serveBytes(req, res, zip, { ranges: true }));
    await expect(resolveSource(`${server.url}/x.zip`, { cacheDir: cacheDir(), sha256: 'f'.repeat(64) })).rejects.toThrow(
      new RegExp(`sha256 mismatch .*expected f{64}, got ${zipSha}`),
    );
  });
});

describe('Google Drive source', () => {
  it('follows the large-file confirmation form to the real download', async () => {
    server = await startLoopback((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/uc' && u.searchParams.get('id') === 'FILE_ID_123456') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
          `<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
           <p>Google Drive can't scan this file for viruses.</p>
           <form id="download-form" action="${server!.url}/download" method="get">
             <input type="submit" id="uc-download-link" value="Download anyway"/>
             <input type="hidden" name="id" value="FILE_ID_123456"><input type="hidden" name="export" value="download">
             <input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="u-u-i-d">
           </form></body></html>`,
        );
      } else if (u.pathname === '/download' && u.searchParams.get('confirm') === 't' && u.searchParams.get('uuid') === 'u-u-i-d') {
        serveBytes(req, res, zip, { ranges: true });
      } else {
        res.writeHead(404).end();
      }
    });
    const src = await resolveSource('gdrive:FILE_ID_123456', { cacheDir: cacheDir(), endpoints: { gdrive: `${server.url}/uc` } });
    expect(src.kind).toBe('gdrive');
    expect(existsSync(join(src.dir, 'Data/train/normal/a.png'))).toBe(true);
  });

  it('explains a page without a download link', async () => {
    server = await startLoopback((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><title>Quota exceeded</title></html>'));
    await expect(resolveSource('gdrive:FILE_ID_123456', { cacheDir: cacheDir(), endpoints: { gdrive: `${server.url}/uc` } })).rejects.toThrow(
      /gdrive:FILE_ID_123456: Google Drive returned a page without a download link \("Quota exceeded"\)/,
    );
  });

  it('also understands the older confirm-link page', () => {
    const html = '<a id="uc-download-link" href="/uc?export=download&amp;confirm=AbC_1&amp;id=XYZ">Download anyway</a>';
    expect(confirmUrlFromHtml(html, 'https://drive.google.com/uc?export=download&id=XYZ')).toBe('https://drive.google.com/uc?export=download&confirm=AbC_1&id=XYZ');
  });
});

describe('Kaggle source', () => {
  const start = () =>
    startLoopback((req, res) => {
      const expected = `Basic ${Buffer.from('alice:k3y-secret').toString('base64')}`;
      if (req.url === '/api/v1/datasets/download/owner/chest-ct') {
        if (req.headers.authorization !== expected) res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":401,"message":"Unauthenticated"}');
        // Kaggle answers with a redirect to a signed storage URL.
        else res.writeHead(302, { Location: '/storage/archive.zip?X-Goog-Signature=sig' }).end();
      } else if (req.url?.startsWith('/storage/archive.zip')) {
        serveBytes(req, res, zip, { ranges: true });
      } else res.writeHead(404).end();
    });

  it('names both ways to give credentials when neither is set', async () => {
    const env = { KAGGLE_CONFIG_DIR: join(dir, 'no-such-kaggle-dir') };
    await expect(resolveSource('kaggle:owner/chest-ct', { cacheDir: cacheDir(), env, endpoints: { kaggle: 'http://127.0.0.1:9/api/v1' } })).rejects.toThrow(
      /set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle\.json .* in .*no-such-kaggle-dir\/kaggle\.json/,
    );
  });

  it('reports rejected credentials without printing the key', async () => {
    server = await start();
    const err = await resolveSource('kaggle:owner/chest-ct', {
      cacheDir: cacheDir(),
      env: { KAGGLE_USERNAME: 'alice', KAGGLE_KEY: 'wrong-key-value' },
      endpoints: { kaggle: `${server.url}/api/v1` },
    }).then(
      () => new Error('expected a rejection'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/Kaggle refused the credentials of user "alice" \(from KAGGLE_USERNAME\/KAGGLE_KEY\), HTTP 401/);
    expect(err.message).not.toContain('wrong-key-value');
    expect(err.message).not.toContain(Buffer.from('alice:wrong-key-value').toString('base64'));
  });

  it('downloads with kaggle.json credentials and reuses the cache without them', async () => {
    server = await start();
    const conf = join(dir, 'kaggle-conf');
    mkdirSync(conf, { recursive: true });
    writeFileSync(join(conf, 'kaggle.json'), JSON.stringify({ username: 'alice', key: 'k3y-secret' }));
    const cache = cacheDir();
    const endpoints = { kaggle: `${server.url}/api/v1` };
    const src = await resolveSource('kaggle:owner/chest-ct', { cacheDir: cache, env: { KAGGLE_CONFIG_DIR: conf }, endpoints });
    expect(readFileSync(join(src.dir, 'Data/test/normal/b.png'), 'utf8')).toBe('b');
    const requests = server.requests.length;
    const again = await resolveSource('kaggle:owner/chest-ct', { cacheDir: cache, env: {}, endpoints });
    expect(again.dir).toBe(src.dir);
    expect(server.requests.length).toBe(requests);
  });
});

describe('local folder source', () => {
  it('lists the accepted source kinds when the folder does not exist', async () => {
    await expect(resolveSource(join(dir, 'nope'), { cacheDir: cacheDir() })).rejects.toThrow(/no such folder \(a source is a folder, https:\/\/…zip, gdrive:<id>, kaggle:<owner>\/<slug> or dicomweb:<URL>\)/);
  });
});
