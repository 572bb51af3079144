/**
 * bench:sources — does a model learn the lungs or the source? For each training set (chest-ct,
 * iq-othnccd, both) and each preprocessing (raw frame, body crop + equalisation) it runs the real
 * pipeline CLI in a scratch folder, then the real `validate` CLI on the other source, and collects:
 * in-source test AUC (CI), other-source AUC (CI), the metadata-only baseline, the occlusion AUCs,
 * and the refusal/warning rates on the other source. Leave-one-source-out runs give the "both" row's
 * other-source figures.
 *
 *   npm run bench:sources                        # 64 px (minutes on 2 cores)
 *   BENCH_SIZE=224 npm run bench:sources         # the shipped size (about an hour and a half on 2 cores)
 *   BENCH_ROWS=chest-ct:normalised,iq:normalised,loso BENCH_SIZE=224 npm run bench:sources
 *                                                # only some rows (chest-ct|iq:raw|normalised, both, loso):
 *                                                # one preprocessing halves the feature passes
 *   BENCH_FEATURES_DIR=.cache/bench-features …   # keep the base's features for later runs
 *
 * Base weights are `none` (seeded random): ImageNet weights cannot be downloaded here. Scratch
 * folders live under the OS temp dir; only bench/results/sources-<size>px.json is written in the repo
 * (rows merged across runs: a run replaces the rows it ran and keeps the others).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CHEST_CT_DIR, IQ_OTHNCCD_DIR } from '../testkit/datasets';
import { REPO, writeResult } from './lib/results';
import { DEFAULT_PARAMS } from '../training/src/config/params';

const SIZE = Number(process.env.BENCH_SIZE ?? 64);
const ROWS = process.env.BENCH_ROWS?.split(',').map((r) => r.trim());
const ROW_NAMES = ['chest-ct:raw', 'iq:raw', 'chest-ct:normalised', 'iq:normalised', 'both', 'loso'];
for (const r of ROWS ?? []) if (!ROW_NAMES.includes(r)) throw new Error(`BENCH_ROWS: unknown row "${r}"; use some of ${ROW_NAMES.join(', ')}`);
const wanted = (r: string) => !ROWS || ROWS.includes(r);
const CLI = join(REPO, 'training', 'src', 'cli.ts');
const scratch = mkdtempSync(join(tmpdir(), 'bench-sources-'));
// BENCH_FEATURES_DIR keeps the content-addressed feature cache between runs (bench:adapt reads the
// same variable), so rows run on another day, or another bench's pipeline, reuse the base's features.
const features = process.env.BENCH_FEATURES_DIR ?? join(scratch, 'features');

type Pre = 'raw' | 'normalised';
const PRE: Record<Pre, { body_crop: boolean; intensity: string }> = {
  raw: { body_crop: false, intensity: 'none' },
  normalised: { body_crop: true, intensity: 'body-equalize' },
};

function cli(cwd: string, args: string[]): void {
  const t0 = Date.now();
  // tsx resolved from this repo: the scratch folder has no node_modules.
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, RESPIDETECT_FEATURES_DIR: features, MLFLOW_TRACKING_URI: join(cwd, 'mlruns'), RESPIDETECT_QUIET: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stderr.write(`bench:sources ${args[0]} in ${cwd}: ${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${r.status}\n`);
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed in ${cwd}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
}

const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const ci = (v: [number, number] | null | undefined) => (v ? v.map((x) => +x.toFixed(3)) : null);

interface Scores {
  model: { rocAuc: number; rocAucCi95: [number, number]; sensitivity: number; specificity: number };
  test: { count: number };
  metadataOnly?: { metadataOnlyRocAuc?: number; metadataOnlyRocAucCi95?: [number, number]; metadataOnlyInputRocAuc?: number };
  occlusion?: Record<string, { rocAuc: number | null }>;
  perSource?: Record<string, { n: number; rocAuc: number | null; rocAucCi95: [number, number] | null }>;
}

function train(name: string, data: Record<string, unknown>, pre: Pre): { dir: string; scores: Scores } {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const params = {
    data,
    preprocess: PRE[pre],
    model: { weights: 'none', image_size: SIZE },
    // As e2e-real: random base features are small, the sets unbalanced.
    train: { epochs: 15, learning_rate: 0.05, class_weights: true, augment: false, early_stopping_patience: 4 },
    export: { dtype: 'float32' },
  };
  writeFileSync(join(dir, 'params.yaml'), stringify(params));
  cli(dir, ['pipeline']);
  return { dir, scores: json<Scores>(join(dir, 'metrics', 'scores.json')) };
}

interface External {
  all: { n: number; rocAuc: number | null; rocAucCi95: [number, number] | null; atShippedThreshold?: { sensitivity?: { value: number | null }; specificity?: { value: number | null } } };
  perClass?: Record<string, { n: number; refused: number; warned: number }>;
  [k: string]: unknown;
}

function validate(dir: string, data: string, labelMap: string, name: string): External {
  cli(dir, ['validate', '--model', DEFAULT_PARAMS.export.out_dir, '--data', data, '--label-map', labelMap, '--name', name]);
  return json<External>(join(dir, 'metrics', 'external', `${name}.json`));
}

/** The external report without its per-file items and curves: the figures a table needs. */
function otherSource(ext: External) {
  const s = ext.all.atShippedThreshold as unknown as Record<string, { value: number; ci95: [number, number] }> | undefined;
  const fig = (k: string) => (s?.[k] ? { value: +s[k].value.toFixed(3), ci95: ci(s[k].ci95) } : null);
  return {
    n: ext.all.n,
    rocAuc: ext.all.rocAuc === null ? null : +ext.all.rocAuc.toFixed(3),
    ci95: ci(ext.all.rocAucCi95),
    atShippedThreshold: { sensitivity: fig('sensitivity'), specificity: fig('specificity'), ppv: fig('ppv'), npv: fig('npv') },
    counts: ext.counts,
    perClass: ext.perClass,
  };
}

function row(train: string, pre: Pre, s: Scores, ext: External | null) {
  return {
    training: train,
    preprocessing: pre,
    inSourceTest: { n: s.test.count, rocAuc: +s.model.rocAuc.toFixed(3), ci95: ci(s.model.rocAucCi95) },
    otherSource: ext ? otherSource(ext) : null,
    metadataOnly: { file: s.metadataOnly?.metadataOnlyRocAuc ?? null, fileCi95: ci(s.metadataOnly?.metadataOnlyRocAucCi95), modelInput: s.metadataOnly?.metadataOnlyInputRocAuc ?? null },
    occlusion: Object.fromEntries(Object.entries(s.occlusion ?? {}).map(([k, v]) => [k, v.rocAuc === null ? null : +v.rocAuc.toFixed(3)])),
    perSource: s.perSource ?? null,
  };
}

async function main(): Promise<void> {
  type Row = ReturnType<typeof row>;
  // One file per image size, bench/results/sources-<size>px.json, merged across runs: a 224 px table
  // takes hours and is filled in by several BENCH_ROWS runs, so a run replaces only the rows it ran.
  const name = `sources-${SIZE}px`;
  const file = join(REPO, 'bench', 'results', `${name}.json`);
  const rows: Row[] = existsSync(file) ? json<{ rows: Row[] }>(file).rows : [];
  const t0 = Date.now();
  // Written after every row as well as at the end: a stopped run keeps the rows it finished.
  const save = () =>
    writeResult(name, {
      imageSize: SIZE,
      rowsLastRun: ROWS ?? ROW_NAMES,
      weights: 'none (seeded random base; ImageNet weights cannot be downloaded here)',
      secondsLastRun: Math.round((Date.now() - t0) / 1000),
      rows,
    });
  const add = (r: Row) => {
    const same = rows.findIndex((o) => o.training === r.training && o.preprocessing === r.preprocessing);
    if (same >= 0) rows.splice(same, 1, r);
    else rows.push(r);
    save();
  };
  try {
    // Several-source rows first: with a warm feature cache they cost minutes, the other rows hours.
    const sources = [
      { name: 'chest-ct', source: CHEST_CT_DIR },
      { name: 'iq', source: IQ_OTHNCCD_DIR, label_map: { malignant: 'adenocarcinoma', normal: 'normal' } },
    ];
    const both = { classes: ['adenocarcinoma', 'normal'], sources };
    if (wanted('both')) add(row('both', 'normalised', train('both', both, 'normalised').scores, null));
    if (wanted('loso')) for (const held of ['iq', 'chest-ct']) add(row(`both, leave out ${held}`, 'normalised', train(`loso-${held}`, { ...both, hold_out_source: held }, 'normalised').scores, null));
    for (const pre of ['raw', 'normalised'] as const) {
      if (wanted(`chest-ct:${pre}`)) {
        const ct = train(`chest-ct-${pre}`, { source: CHEST_CT_DIR, classes: ['adenocarcinoma', 'normal'] }, pre);
        add(row('chest-ct', pre, ct.scores, validate(ct.dir, IQ_OTHNCCD_DIR, 'malignant=adenocarcinoma,normal=normal', 'iq-othnccd')));
      }
      if (wanted(`iq:${pre}`)) {
        const iq = train(`iq-${pre}`, { source: IQ_OTHNCCD_DIR, classes: ['malignant', 'normal'] }, pre);
        const ctTest = join(CHEST_CT_DIR, 'test');
        add(row('iq-othnccd', pre, iq.scores, validate(iq.dir, ctTest, 'adenocarcinoma=malignant,large_cell_carcinoma=malignant,squamous_cell_carcinoma=malignant,normal=normal', 'chest-ct-test')));
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  save();
}

await main();
