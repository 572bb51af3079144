/**
 * The default data.source needs no account: the public Drive zip of the 2-class Chest-CT-Scan-data
 * set. Built here from the shared chest CT copy's 343 files (two_class_subset.txt lists them; the
 * set is its train/adenocarcinoma and train/normal under those folder names), served by a loopback
 * imitation of Drive's download and confirmation pages, then downloaded, checked by content and
 * ingested by the real code. The zip lives in a temporary folder only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHEST_CT_DIR, chestCtPresent } from '../../../testkit/datasets';
import { CHEST_CT_2CLASS_GDRIVE } from '../../src/config/default-source';
import { DEFAULT_PARAMS, loadParams } from '../../src/config/params';
import { ingest } from '../../src/data/ingest';
import { digestFiles, dvcDirHash } from '../../src/data/sources/content-check';
import { KNOWN_CONTENT } from '../../src/data/sources/known';
import { serveBytes, startLoopback, type Loopback } from '../../../testkit/http/loopback';
import { makeZip } from '../../../testkit/training/zip';

process.env.RESPIDETECT_QUIET = '1';
const REPO = resolve(__dirname, '../../..');
const haveCt = chestCtPresent();
const FILE_ID = CHEST_CT_2CLASS_GDRIVE.slice('gdrive:'.length);
const dir = mkdtempSync(join(tmpdir(), 'default-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the default source', () => {
  it('is the Drive set in both the code default and params.yaml, and it needs no credentials', () => {
    expect(DEFAULT_PARAMS.data.source).toBe('gdrive:1z0mreUtRmR-P-magILsDR3T7M6IkGXtY');
    expect(loadParams(join(REPO, 'params.yaml'), []).data.source).toBe(DEFAULT_PARAMS.data.source);
    expect(KNOWN_CONTENT[DEFAULT_PARAMS.data.source]).toMatchObject({ files: 343, bytes: 49_247_431, folders: { adenocarcinoma: 195, normal: 148 }, dvcDirHash: '904fa45d934ce879b3b1933dca6cb2f1.dir' });
  });

  it("serialises the directory listing as DVC does (sorted by path components, Python's json.dumps)", () => {
    // "a b/c" sorts after "a/x" by components ("a" < "a b") though before it as a plain string.
    const entries = [
      { relpath: 'a b/c.png', md5: '1'.repeat(32) },
      { relpath: 'a/x.png', md5: '2'.repeat(32) },
      { relpath: 'é/y.png', md5: '3'.repeat(32) },
    ];
    const text = `[{"md5": "${'2'.repeat(32)}", "relpath": "a/x.png"}, {"md5": "${'1'.repeat(32)}", "relpath": "a b/c.png"}, {"md5": "${'3'.repeat(32)}", "relpath": "\\u00e9/y.png"}]`;
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(dvcDirHash(entries)).toBe(`${md5(text)}.dir`);
  });
});

describe.skipIf(!haveCt)(`the default source on the real layout (${haveCt ? CHEST_CT_DIR : `skipped: no chest CT set at ${CHEST_CT_DIR}; set CHEST_CT_DIR`})`, () => {
  let files: Array<{ relpath: string; absPath: string }>;
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  beforeAll(() => {
    files = readFileSync(join(CHEST_CT_DIR, 'two_class_subset.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((p) => ({ relpath: p.replace(/^train\//, ''), absPath: join(CHEST_CT_DIR, p) }));
  });

  /** Drive's answer for a large file: a "can't scan for viruses" page whose form leads to the bytes. */
  const imitateDrive = (zip: Buffer) =>
    startLoopback((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname === '/uc' && u.searchParams.get('id') === FILE_ID && !u.searchParams.has('confirm')) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(
          `<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head><body>
           <p>Chest-CT-Scan-data.zip (47M) is too large for Google to scan for viruses.</p>
           <form id="download-form" action="${server!.url}/download" method="get">
             <input type="submit" id="uc-download-link" value="Download anyway"/>
             <input type="hidden" name="id" value="${FILE_ID}"><input type="hidden" name="export" value="download">
             <input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="0f1e2d3c">
           </form></body></html>`,
        );
      } else if (u.pathname === '/download' && u.searchParams.get('id') === FILE_ID && u.searchParams.get('confirm') === 't' && u.searchParams.get('uuid') === '0f1e2d3c') {
        serveBytes(req, res, zip, { ranges: true });
      } else res.writeHead(404).end();
    });

  const zipOf = (list: typeof files, change?: (relpath: string, data: Buffer) => Buffer) =>
    makeZip(
      list.map((f) => {
        const data = readFileSync(f.absPath);
        return { name: `Chest-CT-Scan-data/${f.relpath}`, data: change ? change(f.relpath, data) : data, compress: false };
      }),
    );

  const ingestDefault = (tag: string) =>
    ingest(
      { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, prepared_dir: join(dir, tag, 'prepared') } },
      { reportPath: null, cacheDir: join(dir, tag, 'cache'), endpoints: { gdrive: `${server!.url}/uc` }, env: {} },
    );

  it("the shared copy's 343 files have the seed's DVC directory hash 904fa45d…", async () => {
    expect(files).toHaveLength(343);
    expect(await digestFiles(files)).toEqual({ files: 343, bytes: 49_247_431, folders: { adenocarcinoma: 195, normal: 148 }, dvcDirHash: '904fa45d934ce879b3b1933dca6cb2f1.dir' });
  });

  it('downloads through the confirmation page with no credentials, passes the content check and ingests', async () => {
    server = await imitateDrive(await zipOf(files));
    const { manifest, report } = await ingestDefault('ok');
    expect(server.requests.map((r) => new URL(r.url ?? '/', 'http://x').pathname)).toEqual(['/uc', '/download']);
    expect(report.source).toBe(CHEST_CT_2CLASS_GDRIVE);
    expect(report.files).toMatchObject({ scanned: 343, rejected: 0 });
    // SOURCE.md: 93 redundant byte copies in train/normal and 1 in train/adenocarcinoma.
    expect(report.duplicates.exactRedundantCopies).toBe(94);
    expect(manifest.rows).toHaveLength(343 - 94);
    expect(new Set(manifest.rows.map((r) => r.class))).toEqual(new Set(['adenocarcinoma', 'normal']));
    expect(new Set(manifest.rows.map((r) => r.split))).toEqual(new Set(['train', 'val', 'test']));
  }, 300_000);

  it('refuses a download with one changed file, saying what differs', async () => {
    const first = files[0]!.relpath;
    server = await imitateDrive(
      await zipOf(files, (rel, data) => {
        if (rel !== first) return data;
        const changed = Buffer.from(data);
        changed[changed.length - 1]! ^= 0xff;
        return changed;
      }),
    );
    await expect(ingestDefault('changed')).rejects.toThrow(
      /gdrive:1z0mreUtRmR-P-magILsDR3T7M6IkGXtY: the downloaded data is not the 2-class Chest-CT-Scan-data set .*: its DVC directory hash is [0-9a-f]{32}\.dir, expected 904fa45d934ce879b3b1933dca6cb2f1\.dir; the same number of files and bytes in the same folders, so at least one file has different content or a different name/,
    );
  }, 120_000);

  it('refuses a download with a file missing, naming the count, bytes and folder', async () => {
    const missing = files.find((f) => f.relpath.startsWith('normal/'))!;
    const size = readFileSync(missing.absPath).length;
    server = await imitateDrive(await zipOf(files.filter((f) => f !== missing)));
    await expect(ingestDefault('missing')).rejects.toThrow(
      new RegExp(`342 files, expected 343; ${49_247_431 - size} bytes, expected 49247431; folder "normal" has 147 files, expected 148`),
    );
  }, 120_000);
});
