import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toRgb } from '@respidetect/contract';
import { DEFAULT_PARAMS, type Params } from '../config/params';
import { jpeg, png, put } from '../../../testkit/images/fixtures';
import { decodeImage } from './decode';
import { ingest, type IngestResult } from './ingest';
import { loadManifest, readPrepared } from './prepared';
import type { Manifest } from './manifest';

process.env.RESPIDETECT_QUIET = '1';
const ADENO = 'train/adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib';
const ALL4 = ['adenocarcinoma', 'large_cell_carcinoma', 'normal', 'squamous_cell_carcinoma'];

let dir: string;
let root: string;
let first: IngestResult;

function params(over: Partial<Params['data']> = {}): Params {
  return { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: root, prepared_dir: join(dir, 'prepared'), ...over } };
}
const run = (over: Partial<Params['data']> = {}, reportPath: string | null = null) => ingest(params(over), { reportPath, cacheDir: join(dir, 'cache') });

/** Every content hash and every group must live in exactly one split. */
function expectLeakFree(m: Manifest): void {
  const split = new Map<string, string>();
  for (const r of m.rows) {
    for (const key of [`sha:${r.sha256}`, `group:${r.group}`]) {
      expect(split.get(key) ?? r.split, `${key} is in two splits`).toBe(r.split);
      split.set(key, r.split);
    }
  }
  expect(new Set(m.rows.map((r) => r.sha256)).size).toBe(m.rows.length);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
  // A Kaggle-shaped dataset inside a wrapper folder, with every problem the real one has and more.
  root = join(dir, 'src');
  const D = join(root, 'Data');
  for (let i = 1; i <= 12; i++) put(D, `${ADENO}/a${i}.png`, await png(i));
  put(D, `${ADENO}/a1 - Copy.png`, await png(1));
  for (let i = 1; i <= 12; i++) put(D, `train/normal/n${i}.png`, await png(100 + i));
  put(D, 'train/normal/really-a-jpeg.png', await jpeg(113));
  for (let i = 1; i <= 3; i++) put(D, `train/large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa/l${i}.png`, await png(200 + i));
  for (let i = 1; i <= 3; i++) put(D, `train/squamous.cell.carcinoma_left.hilum_T1_N2_M0_IIIa/s${i}.png`, await png(300 + i));
  // One image filed under two labels.
  put(D, 'train/large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa/l4.png', await png(399));
  put(D, 'train/squamous.cell.carcinoma_left.hilum_T1_N2_M0_IIIa/sq2.png', await png(399));
  // Leaks: byte copies of train images in valid and test, and a re-encoded (near) copy in test.
  put(D, 'valid/normal/copy of n2.png', await png(102));
  put(D, 'valid/normal/v1.png', await png(120));
  put(D, 'test/normal/copy of n3.png', await png(103));
  put(D, 'test/normal/n4 again.jpg', await jpeg(104, 64, 95));
  put(D, 'test/normal/t1.png', await png(130));
  put(D, 'test/adenocarcinoma/t-a1.png', await png(50));
  // Broken files.
  const good = await png(60, 96);
  const corrupt = Buffer.from(good);
  corrupt.fill(0x55, 60, corrupt.length - 20);
  put(D, 'test/adenocarcinoma/empty.png', Buffer.alloc(0));
  put(D, 'test/adenocarcinoma/notes.png', 'not an image at all');
  put(D, 'test/adenocarcinoma/corrupt.png', corrupt);
  put(D, 'test/adenocarcinoma/truncated.png', good.subarray(0, good.length >> 1));
  put(D, 'README.md', '# not data');
  first = await run({}, join(dir, 'reports', 'data.json'));
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('ingest on a generated dataset', () => {
  it('finds the dataset under its wrapper folder and maps Kaggle folder names to class ids', () => {
    const r = first.report;
    expect(r.layout).toBe('split/class');
    expect(r.datasetRoot).toBe(join(root, 'Data'));
    expect(r.ignored).toEqual(['README.md']);
    expect(r.excludedClasses).toEqual({ large_cell_carcinoma: 4, squamous_cell_carcinoma: 4 });
    expect(new Set(first.manifest.rows.map((x) => x.class))).toEqual(new Set(['adenocarcinoma', 'normal']));
  });

  it('rejects broken files one by one, naming each and why', () => {
    const byPath = Object.fromEntries(first.report.rejected.map((x) => [x.path, x.reason]));
    expect(byPath).toEqual({
      'test/adenocarcinoma/corrupt.png': expect.stringMatching(/^cannot decode: /),
      'test/adenocarcinoma/empty.png': 'empty file (0 bytes)',
      'test/adenocarcinoma/notes.png': expect.stringMatching(/^not an image \(unrecognised leading bytes: 6e 6f 74/),
      'test/adenocarcinoma/truncated.png': expect.stringMatching(/^cannot decode: /),
    });
    expect(first.report.rejectedByReason).toEqual({ 'cannot decode': 2, 'empty file': 1, 'not an image': 1 });
  });

  it('types every rejection with its refusal code', () => {
    expect(Object.fromEntries(first.report.rejected.map((x) => [x.path, x.code]))).toEqual({
      'test/adenocarcinoma/corrupt.png': 'malformed',
      'test/adenocarcinoma/empty.png': 'empty',
      'test/adenocarcinoma/notes.png': 'unsupported-format',
      'test/adenocarcinoma/truncated.png': 'malformed',
    });
    expect(first.report.skipped).toEqual([]);
  });

  it('fails, saying what it found and why each was left out, when it keeps no image at all', async () => {
    const junk = join(dir, 'junk');
    for (let i = 0; i < 3; i++) {
      put(junk, `adenocarcinoma/${i}.png`, `not an image ${i}`);
      put(junk, `normal/${i}.png`, Buffer.alloc(0));
    }
    await expect(
      ingest({ ...params(), data: { ...params().data, source: junk, prepared_dir: join(dir, 'junk-prepared') } }, { reportPath: join(dir, 'junk-report.json'), cacheDir: join(dir, 'cache') }),
    ).rejects.toThrow(/junk: ingest kept 0 images of 6 files \(distinct contents left out: 3 not an image, 1 empty file\)/);
    expect(existsSync(join(dir, 'junk-prepared', 'manifest.json'))).toBe(false);
  });

  it('sniffs content instead of trusting extensions', () => {
    expect(first.report.extensionMismatches).toEqual([{ path: 'train/normal/really-a-jpeg.png', format: 'jpeg' }]);
    expect(first.manifest.rows.some((x) => x.path === 'train/normal/really-a-jpeg.png')).toBe(true);
  });

  it('keeps one row per distinct content, groups near copies, and leaves label conflicts out', () => {
    const { manifest: m, report: r } = first;
    expectLeakFree(m);
    expect(r.duplicates).toMatchObject({ exactGroups: 4, exactRedundantCopies: 4 });
    // 12 + 1 adenocarcinoma; 12 + jpeg + v1 + t1 + the near copy normal.
    expect(r.counts.total).toEqual({ adenocarcinoma: 13, normal: 16 });
    expect(r.labelConflicts).toEqual([
      {
        group: expect.any(String),
        classes: ['large_cell_carcinoma', 'squamous_cell_carcinoma'],
        paths: ['train/large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa/l4.png', 'train/squamous.cell.carcinoma_left.hilum_T1_N2_M0_IIIa/sq2.png'],
      },
    ]);
    const rowOf = (p: string) => m.rows.find((x) => x.path === p);
    expect(rowOf('test/normal/n4 again.jpg')?.group).toBe(rowOf('train/normal/n4.png')?.group);
    expect(rowOf('test/normal/n4 again.jpg')?.sha256).not.toBe(rowOf('train/normal/n4.png')?.sha256);
    expect(r.files).toEqual({ scanned: 44, decodable: 40, distinct: 36, rejected: 4, kept: 29 });
  });

  it('writes the manifest, the report and a prepared pixel cache equal to a fresh decode', async () => {
    const m = loadManifest(params().data.prepared_dir);
    expect(m).toEqual(first.manifest);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'data.json'), 'utf8')).datasetVersion).toBe(m.datasetVersion);
    for (const row of m.rows.filter((x) => /really-a-jpeg|n1\.png/.test(x.path))) {
      const cached = await readPrepared(params().data.prepared_dir, row.sha256);
      const fresh = await decodeImage(join(m.datasetRoot, row.path));
      expect(cached.channels).toBe(3);
      expect([cached.width, cached.height]).toEqual([fresh.width, fresh.height]);
      expect(Buffer.from(cached.data).equals(Buffer.from(toRgb(fresh)))).toBe(true);
    }
  });

  it('decodes nothing on a rerun with unchanged inputs and gives the same version', async () => {
    const again = await run();
    expect(again.report.decode).toEqual({ decoded: 0, cached: 36, rejectedCached: 4 });
    expect(again.manifest.datasetVersion).toBe(first.manifest.datasetVersion);
    expect(again.report.rejected).toEqual(first.report.rejected);
  });

  it('splits by content: renaming every file changes no assignment', async () => {
    const renamedRoot = join(dir, 'renamed');
    cpSync(root, renamedRoot, { recursive: true });
    const { readdirSync, renameSync, statSync } = await import('node:fs');
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else renameSync(p, join(d, `renamed ${f.split('').reverse().join('')}`));
      }
    };
    walk(join(renamedRoot, 'Data'));
    const renamed = await ingest({ ...params(), data: { ...params().data, source: renamedRoot } }, { reportPath: null, cacheDir: join(dir, 'cache') });
    const assign = (m: Manifest) => Object.fromEntries(m.rows.map((x) => [x.sha256, [x.split, x.group]]));
    expect(assign(renamed.manifest)).toEqual(assign(first.manifest));
    expect(renamed.report.decode.decoded).toBe(0);
  });

  it('stratifies: every class appears in every split, and the seed changes the draw', async () => {
    for (const s of ['train', 'val', 'test'] as const) for (const c of ['adenocarcinoma', 'normal']) expect(first.report.counts[s][c]).toBeGreaterThan(0);
    const reseeded = await run({ seed: 7 });
    expectLeakFree(reseeded.manifest);
    expect(reseeded.manifest.datasetVersion).not.toBe(first.manifest.datasetVersion);
  });

  it('source mode keeps the source split but pulls leaked copies into train', async () => {
    const { manifest: m, report: r } = await run({ split_mode: 'source', classes: ALL4 });
    expectLeakFree(m);
    const rowOf = (p: string) => m.rows.find((x) => x.path === p || x.sha256 === m.rows.find((y) => y.path === p)?.sha256);
    expect(rowOf('train/normal/n2.png')?.split).toBe('train');
    expect(m.rows.some((x) => x.path.startsWith('valid/normal/copy'))).toBe(false);
    expect(m.rows.find((x) => x.path === 'test/normal/n4 again.jpg')?.split).toBe('train');
    expect(m.rows.find((x) => x.path === 'test/normal/t1.png')?.split).toBe('test');
    expect(m.rows.find((x) => x.path === 'valid/normal/v1.png')?.split).toBe('val');
    expect(r.duplicates.movedBySplitRule).toBe(1);
    expect(r.counts.total).toEqual({ adenocarcinoma: 13, large_cell_carcinoma: 3, normal: 16, squamous_cell_carcinoma: 3 });
  });

  it('refuses unknown classes and source mode without source splits, listing what exists', async () => {
    await expect(run({ classes: ['adenocarcinoma', 'covid'] })).rejects.toThrow(
      /data\.classes: "covid" not found in .*; its class folders give: adenocarcinoma, large_cell_carcinoma, normal, squamous_cell_carcinoma/,
    );
    const flat = join(dir, 'flat');
    cpSync(join(root, 'Data', 'train'), flat, { recursive: true });
    await expect(ingest({ ...params(), data: { ...params().data, source: flat, split_mode: 'source' } }, { reportPath: null, cacheDir: join(dir, 'cache') })).rejects.toThrow(
      /split_mode "source" needs train\|valid\|test folders/,
    );
  });

  it('loadManifest catches a hand-edited manifest', () => {
    const prepared = join(dir, 'tampered');
    cpSync(params().data.prepared_dir, prepared, { recursive: true });
    const file = join(prepared, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    const victim = m.rows.find((x) => x.split === 'test')!;
    victim.split = 'train';
    writeFileSync(file, JSON.stringify(m));
    expect(() => loadManifest(prepared)).toThrow(/datasetVersion .* does not match its rows/);
    writeFileSync(file, JSON.stringify({ ...m, rows: [{ ...victim, split: 'holdout' }] }));
    expect(() => loadManifest(prepared)).toThrow(/not a valid manifest: \/rows\/0\/split must be equal to one of the allowed values/);
  });
});
