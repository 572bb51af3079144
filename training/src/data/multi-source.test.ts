import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, loadParams, type Params } from '../config/params';
import { png, put } from '../../../testkit/images/fixtures';
import { ingest } from './ingest';
import { loadManifest } from './prepared';
import type { Manifest } from './manifest';

process.env.RESPIDETECT_QUIET = '1';
const dir = mkdtempSync(join(tmpdir(), 'multi-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCES: Params['data']['sources'] = [
  { name: 'kaggle', source: join(dir, 'a'), label_map: { adenocarcinoma: 'adenocarcinoma', normal: 'normal' } },
  { name: 'iq', source: join(dir, 'b'), label_map: { malignant: 'adenocarcinoma', normal: 'normal' } },
];

function params(over: Partial<Params['data']> = {}): Params {
  return { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: 'unused', sources: SOURCES, prepared_dir: join(dir, 'prepared'), ...over } };
}

function expectLeakFree(m: Manifest): void {
  const split = new Map<string, string>();
  for (const r of m.rows) {
    expect(split.get(r.group) ?? r.split, `group ${r.group} is in two splits`).toBe(r.split);
    split.set(r.group, r.split);
  }
}

beforeAll(async () => {
  // Two sources with different folder names for the same classes; the second has a folder no map names.
  for (let i = 0; i < 30; i++) {
    put(join(dir, 'a'), `adenocarcinoma/${i}.png`, await png(i));
    put(join(dir, 'a'), `normal/${i}.png`, await png(100 + i));
    put(join(dir, 'b'), `malignant/Malignant case (${i}).png`, await png(200 + i));
    put(join(dir, 'b'), `normal/Normal case (${i}).png`, await png(300 + i));
  }
  for (let i = 0; i < 5; i++) put(join(dir, 'b'), `benign/Bengin case (${i}).png`, await png(400 + i));
  // One image in both sources under the same class: one group across sources.
  put(join(dir, 'b'), 'normal/shared.png', await png(100));
});

describe('several sources in one ingest', () => {
  it('maps each source folder to a class, records the source per row, reports what no map names, and splits leak-free by class and source', async () => {
    const { manifest, report } = await ingest(params(), { reportPath: null, cacheDir: join(dir, 'cache') });
    expectLeakFree(manifest);
    expect(loadManifest(join(dir, 'prepared')).datasetVersion).toBe(manifest.datasetVersion);
    expect(new Set(manifest.rows.map((r) => r.source))).toEqual(new Set(['kaggle', 'iq']));
    expect(manifest.sources).toEqual({ kaggle: join(dir, 'a'), iq: join(dir, 'b') });
    // Paths join onto the common root; the malignant folder became adenocarcinoma.
    expect(manifest.datasetRoot).toBe(dir);
    expect(manifest.rows.find((r) => r.path === 'b/malignant/Malignant case (3).png')?.class).toBe('adenocarcinoma');
    // The copy shared by both sources is one row, one group.
    expect(manifest.rows.filter((r) => r.path.endsWith('normal/0.png') || r.path.endsWith('shared.png'))).toHaveLength(1);
    const iq = report.sources!.find((s) => s.name === 'iq')!;
    expect(iq.unmappedFolders).toEqual({ benign: 5 });
    expect(manifest.rows.some((r) => r.path.includes('benign'))).toBe(false);
    // Stratified by source too: each source has every class in every split.
    for (const s of report.sources!) for (const sp of ['train', 'val', 'test'] as const) for (const c of ['adenocarcinoma', 'normal']) expect(s.counts[sp][c], `${s.name} ${sp} ${c}`).toBeGreaterThan(0);
  });

  it('leave-one-source-out: the held-out source is the whole test split, the others train and validate', async () => {
    const { manifest, report } = await ingest(params({ hold_out_source: 'iq', prepared_dir: join(dir, 'prepared-loso') }), { reportPath: null, cacheDir: join(dir, 'cache') });
    expectLeakFree(manifest);
    expect(manifest.heldOutSource).toBe('iq');
    expect(report.heldOutSource).toBe('iq');
    const test = manifest.rows.filter((r) => r.split === 'test');
    // Every iq image is in test; of kaggle's, only the one that iq also holds (its row names the kaggle copy).
    expect(manifest.rows.filter((r) => r.source === 'iq').every((r) => r.split === 'test')).toBe(true);
    expect(test.filter((r) => r.source === 'kaggle').map((r) => r.path)).toEqual(['a/normal/0.png']);
    expect(manifest.rows.filter((r) => r.source === 'kaggle').some((r) => r.split === 'val')).toBe(true);
  });

  it('params name the bad source field', () => {
    const bad = (over: string[]) => () => loadParams('params.yaml', over);
    expect(bad(['data.sources=[{name: a, source: x, label_map: {m: malignant}}]'])).toThrow(/data\.sources\[0\]\.label_map\.m.*not in data\.classes/);
    expect(bad(['data.sources=[{name: a, source: x}, {name: a, source: y}]'])).toThrow(/data\.sources\[1\]\.name.*used twice/);
    expect(bad(['data.hold_out_source=iq'])).toThrow(/data\.hold_out_source.*not the name of one of data\.sources/);
    // A dicomweb: source is selected by its labels CSV; a labels CSV on any other source would go unused.
    expect(bad(['data.source=dicomweb:http://127.0.0.1:8042/dicom-web'])).toThrow(/data\.labels.*needed by the dicomweb: source/);
    expect(bad(['data.labels=series.csv'])).toThrow(/data\.labels.*only for a dicomweb: source/);
    expect(bad(['data.sources=[{name: pacs, source: "dicomweb:http://127.0.0.1:8042/dicom-web"}]'])).toThrow(/data\.sources\[0\]\.labels.*needed by the dicomweb: source/);
  });
});
