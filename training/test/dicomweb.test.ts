/**
 * The CLI's DICOMweb source against a real PACS: Orthanc (Debian's, with its DICOMweb plugin) on a
 * loopback port, loaded with a CT series per class written as DICOM from real chest CT PNGs and an
 * MR series. Requests are counted by a real proxy in front of it, so resume is checked by what
 * crossed the wire, not by what the code says it did.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebError, type ExternalReport } from '@respidetect/contract';
import { CHEST_CT_DIR, chestCtPresent, skipMessage } from '../../testkit/datasets';
import { uid, writeDicom } from '../../testkit/dicom/dicom';
import { startFaultProxy, type FaultProxy } from '../../testkit/http/fault-proxy';
import { startLoopback } from '../../testkit/http/loopback';
import { exportVggModel } from '../../testkit/models/vgg-model';
import { requirePacs, startOrthanc, type RunningOrthanc } from '../../testkit/pacs/orthanc';
import { freePort } from '../../testkit/server/http';
import { DEFAULT_PARAMS } from '../src/config/params';
import { ingest } from '../src/data/ingest';
import { loadManifest, PREP_VERSION } from '../src/data/prepared';
import { dicomWebAuthFromEnv, retrieveDicomWeb } from '../src/data/sources/dicomweb';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PER_CLASS = 3;
const run = requirePacs('CLI DICOMweb source against Orthanc');
if (!chestCtPresent()) {
  if (process.env.CI === 'true') throw new Error(skipMessage());
  console.warn(skipMessage());
}

const kindOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return e instanceof DicomWebError ? `${e.kind}: ${e.message}` : `${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'no error';
};

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

describe('DICOMweb credentials from the environment', () => {
  it('takes a token or a user and password, refuses both or half, and never echoes a secret', () => {
    expect(dicomWebAuthFromEnv({ DICOMWEB_TOKEN: 't0k' })).toEqual({ kind: 'bearer', token: 't0k' });
    expect(dicomWebAuthFromEnv({ DICOMWEB_USERNAME: 'lab', DICOMWEB_PASSWORD: '' })).toEqual({ kind: 'basic', user: 'lab', password: '' });
    expect(dicomWebAuthFromEnv({})).toEqual({ kind: 'none' });
    const msg = (env: Record<string, string>) => {
      try {
        dicomWebAuthFromEnv(env);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(msg({ DICOMWEB_TOKEN: 'secret-t', DICOMWEB_USERNAME: 'lab' })).toMatch(/either DICOMWEB_TOKEN or DICOMWEB_USERNAME and DICOMWEB_PASSWORD, not both/);
    expect(msg({ DICOMWEB_PASSWORD: 'secret-p' })).toMatch(/go together/);
    expect(msg({ DICOMWEB_TOKEN: 'secret-t', DICOMWEB_USERNAME: 'lab' }) + msg({ DICOMWEB_PASSWORD: 'secret-p' })).not.toMatch(/secret-/);
  });
});

describe.skipIf(!run || !chestCtPresent())('DICOMweb source (labels CSV → cache → validate) against Orthanc', () => {
  let pacs: RunningOrthanc;
  let locked: RunningOrthanc;
  let proxy: FaultProxy;
  let work: string;
  let labels: string;
  const study = uid();
  const series = { adenocarcinoma: uid(), normal: uid() };
  const mr = uid();
  const sops: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rd-dicomweb-'));
    [pacs, locked] = await Promise.all([startOrthanc(), startOrthanc({ auth: { user: 'lab', password: 's3cret' } })]);
    proxy = await startFaultProxy(pacs.url, () => false);
    const s = { uid: study, patientId: 'CLI-001', date: '20240301' };
    const files: Buffer[] = [];
    for (const cls of ['adenocarcinoma', 'normal'] as const) {
      const names = readdirSync(join(CHEST_CT_DIR, 'test', cls)).sort().slice(0, PER_CLASS);
      for (const [i, name] of names.entries()) {
        // At their own size: the not-a-chest-CT rule needs the black air and white tissue of a real slice.
        const { data, info } = await sharp(join(CHEST_CT_DIR, 'test', cls, name)).greyscale().raw().toBuffer({ resolveWithObject: true });
        files.push(writeDicom({ frames: [new Uint8Array(data)], width: info.width, height: info.height, study: s, seriesUid: series[cls], instanceNumber: i + 1, seriesNumber: cls === 'normal' ? 2 : 1 }));
      }
    }
    files.push(writeDicom({ frames: [new Uint8Array(64 * 64).fill(90)], width: 64, height: 64, modality: 'MR', study: s, seriesUid: mr, instanceNumber: 1, seriesNumber: 3, seriesDescription: 'T2 axial' }));
    await pacs.upload(files);
    labels = join(work, 'pacs-set.csv');
    writeFileSync(labels, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.adenocarcinoma},adenocarcinoma\n${study},${series.normal},normal\n${study},${mr},normal\n`);
    const listed = (await (await fetch(`${pacs.dicomWeb}/studies/${study}/series/${series.adenocarcinoma}/instances`)).json()) as { '00080018': { Value: string[] } }[];
    sops.push(...listed.map((x) => x['00080018'].Value[0]!));
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([pacs?.stop(), locked?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('names a bad labels row by its line before anything is fetched', async () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.normal},normal\n${study},1.2.abc,normal\n`);
    const before = proxy.forwarded.length;
    expect(await kindOf(retrieveDicomWeb({ url: `${proxy.url}/dicom-web`, labels: bad, cacheDir: join(work, 'c0') }))).toMatch(/bad\.csv: line 3: SeriesInstanceUID "1\.2\.abc" is not a DICOM UID/);
    writeFileSync(bad, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.normal},normal\n${study},${series.normal},adenocarcinoma\n`);
    expect(await kindOf(retrieveDicomWeb({ url: `${proxy.url}/dicom-web`, labels: bad, cacheDir: join(work, 'c0') }))).toMatch(/line 3: series .* is already listed on line 2/);
    writeFileSync(bad, `Study,Series,label\n`);
    expect(await kindOf(retrieveDicomWeb({ url: `${proxy.url}/dicom-web`, labels: bad, cacheDir: join(work, 'c0') }))).toMatch(/line 1 must be the header "StudyInstanceUID,SeriesInstanceUID,class"/);
    expect(proxy.forwarded.length).toBe(before);
  });

  it('says 401 naming the series without credentials, and reads with DICOMWEB_USERNAME/PASSWORD', async () => {
    const one = join(work, 'one.csv');
    writeFileSync(one, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.normal},normal\n`);
    await locked.upload([writeDicom({ frames: [new Uint8Array(64 * 64).fill(90)], width: 64, height: 64, study: { uid: study }, seriesUid: series.normal, instanceNumber: 1 })]);
    const denied = await kindOf(retrieveDicomWeb({ url: locked.dicomWeb, labels: one, cacheDir: join(work, 'c1'), env: {} }));
    expect(denied).toMatch(new RegExp(`^auth: series ${series.normal.replace(/\./g, '\\.')} \\(labels line 2\\): .*HTTP 401`));
    const wrong = await kindOf(retrieveDicomWeb({ url: locked.dicomWeb, labels: one, cacheDir: join(work, 'c1'), env: { DICOMWEB_USERNAME: 'lab', DICOMWEB_PASSWORD: 'nope' } }));
    expect(wrong).toMatch(/^auth: /);
    expect(wrong).not.toContain('nope');
    const got = await retrieveDicomWeb({ url: locked.dicomWeb, labels: one, cacheDir: join(work, 'c1'), env: { DICOMWEB_USERNAME: 'lab', DICOMWEB_PASSWORD: 's3cret' } });
    expect(got).toMatchObject({ fetched: 1, cached: 0 });
  });

  it('names an unknown series (404) and a refused connection', async () => {
    const ghost = join(work, 'ghost.csv');
    writeFileSync(ghost, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.normal},normal\n${study},1.2.3.999,normal\n`);
    expect(await kindOf(retrieveDicomWeb({ url: pacs.dicomWeb, labels: ghost, cacheDir: join(work, 'c2') }))).toMatch(/^not-found: series 1\.2\.3\.999 \(labels line 3\): the PACS has no such series/);
    const dead = await freePort();
    expect(await kindOf(retrieveDicomWeb({ url: `http://127.0.0.1:${dead}/dicom-web`, labels: ghost, cacheDir: join(work, 'c2') }))).toMatch(
      new RegExp(`^unreachable: series ${series.normal.replace(/\./g, '\\.')} \\(labels line 2\\): .*connection refused at http://127\\.0\\.0\\.1:${dead}`),
    );
  });

  it('bounds each image by the byte limit and each request by the time limit, naming the series', async () => {
    const one = join(work, 'one-ct.csv');
    writeFileSync(one, `StudyInstanceUID,SeriesInstanceUID,class\n${study},${series.adenocarcinoma},adenocarcinoma\n`);
    const big = await kindOf(retrieveDicomWeb({ url: pacs.dicomWeb, labels: one, cacheDir: join(work, 'c3'), maxInstanceBytes: 64 * 1024 }));
    expect(big).toMatch(new RegExp(`^too-large: Retrieving image [0-9.]+ of series ${series.adenocarcinoma.replace(/\./g, '\\.')} \\(labels line 2\\): the answer is larger than 0\\.06 MiB`));
    expect(filesUnder(join(work, 'c3'))).toEqual([]);
    // A server that takes the request and never answers.
    const silent = await startLoopback(() => undefined);
    try {
      expect(await kindOf(retrieveDicomWeb({ url: `${silent.url}/dicom-web`, labels: one, cacheDir: join(work, 'c3'), timeoutMs: 300 }))).toMatch(/^timeout: series .* \(labels line 2\): Listing the series of study .*: the PACS did not answer within 0\.3 s/);
    } finally {
      await silent.close();
    }
  });

  it('resumes: a run stopped part-way leaves whole files, and the rerun fetches only the rest', async () => {
    const cacheDir = join(work, 'resume');
    const url = `${proxy.url}/dicom-web`;
    const retrieves = (from: number) => proxy.forwarded.slice(from).filter((p) => /\/instances\/[0-9.]+$/.test(p.split('?')[0]!));
    const stop = new AbortController();
    let mark = proxy.forwarded.length;
    const first = await kindOf(retrieveDicomWeb({ url, labels, cacheDir, signal: stop.signal, onInstance: (n) => n >= 2 && stop.abort(new Error('stopped by the test')) }));
    expect(first).toBe('Error: stopped by the test');
    const afterFirst = filesUnder(cacheDir);
    // Whole DICOM files only, under their final names; nothing hidden or temporary left behind.
    expect(afterFirst.every((f) => /\/(adenocarcinoma|normal)\/[0-9.]+\/[0-9.]+\.dcm$/.test(f))).toBe(true);
    for (const f of afterFirst) expect(readFileSync(f).subarray(128, 132).toString('latin1')).toBe('DICM');
    const done = afterFirst.length;
    expect(done).toBeGreaterThanOrEqual(2);
    expect(done).toBeLessThan(2 * PER_CLASS);
    expect(retrieves(mark).length).toBeLessThanOrEqual(done + 4);

    // Requests the first run had sent before it stopped may still reach the proxy; let them land first.
    await new Promise((r) => setTimeout(r, 300));
    mark = proxy.forwarded.length;
    const second = await retrieveDicomWeb({ url, labels, cacheDir });
    expect(second).toMatchObject({ cached: done, fetched: 2 * PER_CLASS - done });
    // Only the images the cache lacked crossed the wire; none of those already whole.
    const again = retrieves(mark).map((p) => p.split('?')[0]!.split('/').pop()!);
    expect(new Set(again).size).toBe(2 * PER_CLASS - done);
    const whole = new Set(afterFirst.map((f) => f.split('/').pop()!.replace(/\.dcm$/, '')));
    expect(again.filter((sop) => whole.has(sop))).toEqual([]);
    expect(second.refused).toEqual([expect.objectContaining({ line: 4, series: mr, path: `normal/${mr}`, reason: 'Series 3 (T2 axial) is MR, not CT: this model reads chest CT only. Pick a CT series.' })]);
    // The MR series was refused from its QIDO answer: none of its images was requested.
    expect(proxy.forwarded.some((p) => p.includes(`/series/${mr}/instances/`))).toBe(false);
    expect(second.files.filter((f) => f.startsWith(`adenocarcinoma/${series.adenocarcinoma}/`)).sort()).toEqual(sops.map((s) => `adenocarcinoma/${series.adenocarcinoma}/${s}.dcm`).sort());

    mark = proxy.forwarded.length;
    expect(await retrieveDicomWeb({ url, labels, cacheDir })).toMatchObject({ cached: 2 * PER_CLASS, fetched: 0 });
    expect(retrieves(mark)).toHaveLength(0);
  });

  it('ingest reads a dicomweb: source: the CT images decoded by the DICOM reader, the MR series skipped with its reason', async () => {
    const cache = join(work, 'ingest-cache');
    const prepared = join(work, 'prepared');
    const data = { ...DEFAULT_PARAMS.data, source: `dicomweb:${pacs.dicomWeb}`, labels, dicomweb_cache: cache, prepared_dir: prepared };
    const { report } = await ingest({ ...DEFAULT_PARAMS, data }, { reportPath: null, cacheDir: join(work, 'downloads') });
    expect(report.files).toMatchObject({ scanned: 2 * PER_CLASS, rejected: 0, kept: 2 * PER_CLASS });
    expect(report.counts.total).toEqual({ adenocarcinoma: PER_CLASS, normal: PER_CLASS });
    expect(report.skipped).toEqual([{ path: `normal/${mr}`, code: 'not-ct', reason: `normal/${mr}: Series 3 (T2 axial) is MR, not CT: this model reads chest CT only. Pick a CT series.` }]);
    const rows = loadManifest(prepared).rows;
    expect(rows.map((r) => r.path).sort()).toEqual(filesUnder(cache).map((f) => f.slice(cache.length + 1)).sort());
    // rejected.json from before ingest read DICOM (no rules version) said "not an image": it no longer holds.
    writeFileSync(join(prepared, 'rejected.json'), JSON.stringify({ version: PREP_VERSION, reasons: Object.fromEntries(rows.map((r) => [r.sha256, 'not an image'])) }));
    const rerun = await ingest({ ...DEFAULT_PARAMS, data }, { reportPath: null, cacheDir: join(work, 'downloads') });
    expect(rerun.report.files).toMatchObject({ rejected: 0, kept: 2 * PER_CLASS });
    // The cache is ingest's whole folder: a series the CSV does not list is refused, not trained on.
    writeFileSync(join(cache, 'normal', series.normal, '..', '1.2.3.4'), '');
    await expect(ingest({ ...DEFAULT_PARAMS, data }, { reportPath: null, cacheDir: join(work, 'downloads') })).rejects.toThrow(/holds series the labels CSV .* does not list \(normal\/1\.2\.3\.4\)/);
  });

  it('npm run validate --dicomweb: counts the CT images, the MR series failed with its reason, resume said on stderr', async () => {
    const model = await exportVggModel(join(work, 'model'), 32, 'float32');
    const out = join(work, 'reports');
    // Straight to Orthanc: spawnSync blocks this process, and with it the counting proxy.
    const cli = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', 'validate', '--model', model, '--dicomweb', pacs.dicomWeb, '--labels', labels, '--cache', join(work, 'cli-cache'), '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, RESPIDETECT_QUIET: '1' },
      });
    const res = cli();
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toContain(`dicomweb: ${2 * PER_CLASS} images in 2 series; 0 already in`);
    const report = JSON.parse(readFileSync(join(out, 'pacs-set.json'), 'utf8')) as ExternalReport;
    expect(report.counts).toMatchObject({ files: 2 * PER_CLASS + 1, failed: 1 });
    expect(report.failures).toEqual([expect.objectContaining({ file: `normal/${mr}`, reason: 'Series 3 (T2 axial) is MR, not CT: this model reads chest CT only. Pick a CT series.' })]);
    expect(report.perFolder.adenocarcinoma).toMatchObject({ files: PER_CLASS, failed: 0 });
    expect(report.perFolder.normal).toMatchObject({ files: PER_CLASS + 1, failed: 1 });
    const again = cli();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(`dicomweb: ${2 * PER_CLASS} images in 2 series; ${2 * PER_CLASS} already in`);
  }, 180_000);
});
