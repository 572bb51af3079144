import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseModelMetadata } from '@respidetect/contract';
import { DEFAULT_PARAMS } from '../config/params';
import { ingest } from '../data/ingest';
import { jpeg, png, put } from '../../../testkit/images/fixtures';
import { readClassFolders, type FolderDataset } from './folder-dataset';
import { QUICK_HELD_OUT_FRACTION, splitQuick, type QuickSplit } from './held-out';

process.env.RESPIDETECT_QUIET = '1';
const REPO = resolve(__dirname, '../../..');
const SEED = 42;
const NEAR_BITS = DEFAULT_PARAMS.data.near_duplicate_bits;

let dir: string;
let root: string;
let ds: FolderDataset;
let split: QuickSplit;
/** Files planted as one family (original, byte copy, re-encoded near copy): they must stay together. */
const families: string[][] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'quick-held-out-'));
  root = join(dir, 'data');
  // Two classes of 30 families each. With every fifth file held out one by one (the old rule),
  // nearly every family would have had members on both sides.
  for (const [k, cls] of ['adenocarcinoma', 'normal'].entries()) {
    for (let i = 0; i < 30; i++) {
      const seed = 1000 * (k + 1) + i;
      const original = put(root, `${cls}/${i}.png`, await png(seed));
      const copy = put(root, `${cls}/${i} - Copy.png`, await png(seed));
      const near = put(root, `${cls}/${i} re-encoded.jpg`, await jpeg(seed, 64, 90));
      families.push([original, copy, near]);
    }
  }
  // One image under both labels, and a near copy of another across classes: label conflicts.
  put(root, 'adenocarcinoma/both.png', await png(7777));
  put(root, 'normal/both.png', await png(7777));
  put(root, 'adenocarcinoma/near-both.png', await png(8888));
  put(root, 'normal/near-both.jpg', await jpeg(8888, 64, 90));
  ds = await readClassFolders(root);
  split = splitQuick(ds, { nearBits: NEAR_BITS, seed: SEED });
  return () => rmSync(dir, { recursive: true, force: true });
});

const sideOf = (path: string): 'train' | 'held-out' | 'left out' => {
  const sha = ds.images.find((im) => im.path === path)!.sha256;
  if (split.train.some((im) => im.sha256 === sha)) return 'train';
  if (split.heldOut.some((im) => im.sha256 === sha)) return 'held-out';
  return 'left out';
};

describe('the quick path holds out whole duplicate groups', () => {
  it('finds the exact and near copies as groups, and the label conflicts', () => {
    expect(split.grouping).toMatchObject({
      files: 60 * 3 + 4,
      distinct: 60 * 2 + 3,
      // One byte copy per family; the conflict's copy is left out with it.
      exactRedundantCopies: 60,
      groups: 60,
      labelConflicts: 2,
    });
    expect(split.grouping.nearGroups).toBeGreaterThanOrEqual(61);
    expect(split.conflicts.map((c) => c.classes)).toEqual([
      ['adenocarcinoma', 'normal'],
      ['adenocarcinoma', 'normal'],
    ]);
  });

  it('never puts members of one group on both sides', () => {
    for (const family of families) {
      const sides = new Set(family.map(sideOf));
      expect(sides.size, `${family.map((f) => relative(root, f)).join(' | ')} straddles ${[...sides].join(' and ')}`).toBe(1);
    }
    for (const [sha, group] of split.groupOf) {
      const inTrain = split.train.some((im) => split.groupOf.get(im.sha256) === group);
      const inHeld = split.heldOut.some((im) => split.groupOf.get(im.sha256) === group);
      expect(inTrain && inHeld, `group ${group} (content ${sha.slice(0, 12)}) is in train and held-out`).toBe(false);
    }
    for (const path of ['adenocarcinoma/both.png', 'normal/both.png', 'adenocarcinoma/near-both.png', 'normal/near-both.jpg'])
      expect(sideOf(join(root, path)), path).toBe('left out');
  });

  it('holds out about a fifth of each class, one image per distinct content', () => {
    for (const label of [0, 1]) {
      const held = split.heldOut.filter((im) => im.label === label).length;
      const all = held + split.train.filter((im) => im.label === label).length;
      expect(all).toBe(60);
      expect(held / all).toBeCloseTo(QUICK_HELD_OUT_FRACTION, 1);
    }
    const shas = [...split.train, ...split.heldOut].map((im) => im.sha256);
    expect(new Set(shas).size).toBe(shas.length);
  });

  it('is the pipeline ingest split: same groups, same held-out contents for the same seed and ratios', async () => {
    const { manifest } = await ingest(
      {
        ...DEFAULT_PARAMS,
        data: {
          ...DEFAULT_PARAMS.data,
          source: root,
          classes: ['adenocarcinoma', 'normal'],
          split_mode: 'ratios',
          split_ratios: { train: 1 - QUICK_HELD_OUT_FRACTION, val: 0, test: QUICK_HELD_OUT_FRACTION },
          seed: SEED,
          near_duplicate_bits: NEAR_BITS,
          prepared_dir: join(dir, 'prepared'),
        },
      },
      { reportPath: null, cacheDir: join(dir, 'cache') },
    );
    const sorted = (xs: string[]) => [...xs].sort();
    expect(sorted(split.heldOut.map((im) => im.sha256))).toEqual(sorted(manifest.rows.filter((r) => r.split === 'test').map((r) => r.sha256)));
    expect(sorted(split.train.map((im) => im.sha256))).toEqual(sorted(manifest.rows.filter((r) => r.split === 'train').map((r) => r.sha256)));
    for (const r of manifest.rows) expect(split.groupOf.get(r.sha256)).toBe(r.group);
  });

  it('writes an honest quick model: held-out figures at its threshold, baseline, n, too-small and no-calibration notes', () => {
    const out = join(dir, 'model');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', 'train', '--data', root, '--out', out, '--image-size', '16', '--epochs', '1'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, RESPIDETECT_QUIET: '1' },
    });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/groups: 184 files, 123 distinct, 60 exact copies, \d+ near-duplicate groups holding \d+ images, 60 groups split, 2 label conflicts left out/);
    const report = JSON.parse(res.stdout.trim().split('\n').pop()!) as {
      heldOutImages: number;
      heldOut: { n: number; perClassN: Record<string, number>; tooSmallToConclude: boolean; note: string; majorityBaseline: { accuracy: number }; atThreshold: { threshold: number } };
    };
    expect(report.heldOut.n).toBe(report.heldOutImages);
    expect(report.heldOut.perClassN.adenocarcinoma! + report.heldOut.perClassN.normal!).toBe(report.heldOutImages);
    // About 12 per class: below 20, so the figures are marked as too small to conclude from.
    expect(report.heldOut.tooSmallToConclude).toBe(true);
    expect(report.heldOut.note).toMatch(/fewer than 20 held-out images of adenocarcinoma \(\d+\), normal \(\d+\): too small to conclude from/);
    expect(report.heldOut.atThreshold.threshold).toBe(0.5);

    const meta = parseModelMetadata(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')));
    expect(meta.evaluation).toEqual({
      method: 'quick',
      validationSplit: false,
      calibrated: false,
      grouping: { groups: 60, exactRedundantCopies: 60, nearGroups: expect.any(Number) as number, nearGroupedImages: expect.any(Number) as number, labelConflicts: 2 },
    });
    expect(meta.metrics.testCount).toBe(report.heldOutImages);
    expect(meta.metrics.baselineAccuracy).toBe(report.heldOut.majorityBaseline.accuracy);
    expect(meta.metrics.perClass?.normal?.support).toBe(report.heldOut.perClassN.normal);
    expect(meta.metrics.confusionMatrix?.flat().reduce((a, b) => a + b, 0)).toBe(report.heldOutImages);
  });
});
