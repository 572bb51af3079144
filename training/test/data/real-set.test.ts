/**
 * Ingest on the real Kaggle chest CT set (read-only copy in ../shared). The first run decodes all
 * 847 distinct images once (beforeAll); the other runs reuse that cache, which is itself checked.
 */
import { CHEST_CT_DIR, chestCtPresent } from '../../../testkit/datasets';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type Params } from '../../src/config/params';
import { ingest, type IngestResult } from '../../src/data/ingest';
import type { Manifest } from '../../src/data/manifest';

process.env.RESPIDETECT_QUIET = '1';
const CT_DIR = CHEST_CT_DIR;
const haveCt = chestCtPresent();
const ALL4 = ['adenocarcinoma', 'large_cell_carcinoma', 'normal', 'squamous_cell_carcinoma'];

const dir = mkdtempSync(join(tmpdir(), 'real-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (data: Partial<Params['data']>) =>
  ingest(
    { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: CT_DIR, prepared_dir: join(dir, 'prepared'), ...data } },
    { reportPath: null, cacheDir: join(dir, 'cache') },
  );

function expectLeakFree(m: Manifest): void {
  const seen = new Map<string, string>();
  for (const r of m.rows) {
    for (const key of [`sha:${r.sha256}`, `group:${r.group}`]) {
      expect(seen.get(key) ?? r.split, `${key} in two splits`).toBe(r.split);
      seen.set(key, r.split);
    }
  }
  expect(new Set(m.rows.map((r) => r.sha256)).size).toBe(m.rows.length);
}

/** DUPLICATES.tsv: sha256 → source paths, for every content found more than once. */
function duplicatesTsv(): Map<string, string[]> {
  const lines = readFileSync(join(CT_DIR, 'DUPLICATES.tsv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => l.split('\t')).map((c) => [c[0]!, c[6]!.split('|')]));
}

describe.skipIf(!haveCt)(`ingest on the real chest CT set (${haveCt ? CT_DIR : `skipped: not found at ${CT_DIR}`})`, () => {
  let four: IngestResult;
  beforeAll(async () => {
    four = await run({ classes: ALL4 });
  });

  it('agrees with the duplicate analysis in SOURCE.md and DUPLICATES.tsv', () => {
    const r = four.report;
    expect(r.files).toMatchObject({ scanned: 1000, decodable: 1000, distinct: 847, rejected: 0 });
    expect(r.duplicates).toMatchObject({ exactGroups: 59, exactRedundantCopies: 153 });
    expect(duplicatesTsv().size).toBe(59);
    expect(r.sourceCounts).toEqual({
      train: { adenocarcinoma: 195, large_cell_carcinoma: 115, normal: 148, squamous_cell_carcinoma: 155 },
      val: { adenocarcinoma: 23, large_cell_carcinoma: 21, normal: 13, squamous_cell_carcinoma: 15 },
      test: { adenocarcinoma: 120, large_cell_carcinoma: 51, normal: 54, squamous_cell_carcinoma: 90 },
    });
  });

  it('sniffs the four JPEGs named .png', () => {
    expect(four.report.extensionMismatches).toEqual(
      ['n7 (2) - Copy.png', 'n7 (2).png', 'n7 - Copy.png', 'n7.png'].map((f) => ({ path: `train/normal/${f}`, format: 'jpeg' })),
    );
  });

  it('reports the l4.png == sq2.png label conflict and leaves that image out', () => {
    const conflict = four.report.labelConflicts.find((c) => c.paths.includes('train/large_cell_carcinoma/l4.png'));
    expect(conflict).toMatchObject({ classes: ['large_cell_carcinoma', 'squamous_cell_carcinoma'] });
    expect(conflict!.paths).toContain('train/squamous_cell_carcinoma/sq2.png');
    expect(four.manifest.rows.some((r) => /\/(l4|sq2)\.png$/.test(r.path))).toBe(false);
    // Every other distinct image is kept (one row each).
    const left = four.report.labelConflicts.reduce((s, c) => s + new Set(c.paths).size, 0);
    expect(four.manifest.rows.length).toBeGreaterThan(847 - left);
  });

  it('puts no content hash or duplicate group in two splits (4 classes, ratios)', () => {
    expectLeakFree(four.manifest);
    for (const s of ['train', 'val', 'test'] as const) for (const c of ALL4) expect(four.report.counts[s][c]).toBeGreaterThan(0);
  });

  it('keeps the source split minus its leaks in source mode, and decodes nothing the second time', async () => {
    const { manifest: m, report: r } = await run({ classes: ALL4, split_mode: 'source' });
    expect(r.decode).toMatchObject({ decoded: 0, cached: 847 });
    expectLeakFree(m);
    // Every content DUPLICATES.tsv lists in train as well as in valid/test is kept once, in train.
    for (const [sha, paths] of duplicatesTsv()) {
      const rows = m.rows.filter((x) => x.sha256 === sha);
      if (paths.some((p) => p.includes('/large_cell_carcinoma/')) && paths.some((p) => p.includes('/squamous_cell_carcinoma/'))) {
        expect(rows).toHaveLength(0);
        continue;
      }
      expect(rows).toHaveLength(1);
      if (paths.some((p) => p.startsWith('train/'))) expect(rows[0]!.split).toBe('train');
    }
    // SOURCE.md: only 8 test/normal and 3 valid/normal images are not exact copies of train images;
    // near copies take the test ones down further (47 of 54 have an exact or near copy).
    expect(r.counts.val.normal).toBe(3);
    expect(r.counts.test.normal).toBeLessThanOrEqual(8);
    expect(r.counts.test.normal).toBeGreaterThanOrEqual(54 - 47);
  });

  it('builds the default 2-class set from the same cache', async () => {
    const { manifest: m, report: r } = await run({});
    expect(r.decode.decoded).toBe(0);
    expectLeakFree(m);
    expect(m.classes).toEqual(['adenocarcinoma', 'normal']);
    expect(new Set(m.rows.map((x) => x.class))).toEqual(new Set(['adenocarcinoma', 'normal']));
    expect(Object.values(r.counts.total).reduce((a, b) => a + b, 0)).toBe(m.rows.length);
    // The class set only filters rows: groups and splits of the kept classes are the same.
    expect(r.counts.total.adenocarcinoma).toBe(four.report.counts.total.adenocarcinoma);
  });
});
