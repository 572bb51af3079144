/**
 * The shortcut audit: how well can the labels be predicted WITHOUT the anatomy? A logistic
 * regression on file-level cues (cues.ts) is trained on the train split and scored on the test
 * split, the same splits the model gets. Two views:
 *  - `file`: the stored file (size, aspect, format, bytes, border and brightness statistics);
 *  - `modelInput`: brightness statistics of the frame after the source normalisation, i.e. what
 *    is left for the model to exploit once crop and equalisation have run.
 * An AUC at or above WARN_AUC means "these labels can be predicted without looking at the image
 * content": a model's own AUC on such data proves little, and the card says so.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { bootstrapAucCi, canonicalClassId, normaliseSource, positiveClassIndex, preprocessKey, rocAuc, toRgb, type PreprocessSpec } from '@respidetect/contract';
import { sniffFormat } from '../data/decode';
import type { Manifest, ManifestRow } from '../data/manifest';
import { readPrepared } from '../data/prepared';
import { progress } from '../util/progress';
import { FILE_CUE_NAMES, PIXEL_CUE_NAMES, fileCues, pixelCues } from './cues';
import { fitLogistic, predictLogistic } from './logistic';

/** Ingest's report, where the audit is kept for evaluate and export (dvc.yaml lists it). */
export const DATA_REPORT = 'reports/data.json';
export const WARN_AUC = 0.8;
/** Below this many test items in a class, the audit says its figures are too uncertain to conclude from. */
export const MIN_PER_CLASS = 20;
export const SHORTCUT_WARNING = 'these labels can be predicted without looking at the image content';

export interface AuditView {
  features: string[];
  /** Test-split AUC of the positive class vs the rest; null when the test split lacks a class. */
  testAuc: number | null;
  testAucCi95: [number, number] | null;
}

export interface ShortcutAudit {
  positiveClass: string;
  preprocess: string;
  n: { train: number; test: number; failed: number };
  file: AuditView;
  modelInput: AuditView;
  warnAt: number;
  /** Fewer than MIN_PER_CLASS test items in a class: the AUCs are too uncertain to conclude from. */
  tooSmall: boolean;
  /** SHORTCUT_WARNING when either view reaches warnAt, else null. */
  warning: string | null;
  /** Rows whose cues could not be computed, with the reason. */
  failed: { path: string; error: string }[];
}

interface Cues {
  row: ManifestRow;
  file: number[];
  input: number[];
}

function head(path: string, n = 16): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const b = new Uint8Array(n);
    readSync(fd, b, 0, n, 0);
    return b;
  } finally {
    closeSync(fd);
  }
}

async function cuesOf(manifest: Manifest, preparedDir: string, row: ManifestRow, spec: PreprocessSpec): Promise<Cues> {
  const path = join(manifest.datasetRoot, row.path);
  const format = sniffFormat(head(path));
  if (!format) throw new Error(`${path}: not a recognised image format`);
  const meta = await sharp(path).metadata();
  const px = await readPrepared(preparedDir, row.sha256);
  const rgb = toRgb(px);
  const file = [...fileCues(path, format, px.width, px.height, (meta.channels ?? 3) <= 2), ...pixelCues(rgb, px.width, px.height)];
  const norm = normaliseSource({ rgb, width: px.width, height: px.height }, spec);
  return { row, file, input: pixelCues(norm.rgb, norm.width, norm.height) };
}

function scoreView(names: readonly string[], train: number[][], trainY: boolean[], test: number[][], testY: boolean[], seed: number): AuditView {
  const view: AuditView = { features: [...names], testAuc: null, testAucCi95: null };
  if (!trainY.some((y) => y) || trainY.every((y) => y) || !testY.some((y) => y) || testY.every((y) => y)) return view;
  const model = fitLogistic(train, trainY);
  const scores = predictLogistic(model, test);
  const ci = bootstrapAucCi(scores, testY, 1000, seed);
  return { ...view, testAuc: rocAuc(scores, testY), testAucCi95: [ci.low, ci.high] };
}

export async function runShortcutAudit(manifest: Manifest, preparedDir: string, spec: PreprocessSpec, seed: number): Promise<ShortcutAudit> {
  const positive = manifest.classes[positiveClassIndex(manifest.classes)]!;
  const rows = manifest.rows.filter((r) => r.split === 'train' || r.split === 'test');
  const bar = progress('shortcut audit', rows.length, 'images');
  const cues: Cues[] = [];
  const failed: ShortcutAudit['failed'] = [];
  for (const row of rows) {
    try {
      cues.push(await cuesOf(manifest, preparedDir, row, spec));
    } catch (err) {
      failed.push({ path: row.path, error: err instanceof Error ? err.message : String(err) });
    }
    bar.tick(1);
  }
  bar.done(failed.length ? `${failed.length} failed` : '');
  const isPos = (c: Cues) => canonicalClassId(c.row.class) === canonicalClassId(positive);
  const train = cues.filter((c) => c.row.split === 'train');
  const test = cues.filter((c) => c.row.split === 'test');
  const file = scoreView([...FILE_CUE_NAMES, ...PIXEL_CUE_NAMES], train.map((c) => c.file), train.map(isPos), test.map((c) => c.file), test.map(isPos), seed);
  const modelInput = scoreView(PIXEL_CUE_NAMES, train.map((c) => c.input), train.map(isPos), test.map((c) => c.input), test.map(isPos), seed);
  const flagged = [file.testAuc, modelInput.testAuc].some((a) => a !== null && a >= WARN_AUC);
  return {
    positiveClass: positive,
    preprocess: preprocessKey(spec),
    n: { train: train.length, test: test.length, failed: failed.length },
    file,
    modelInput,
    warnAt: WARN_AUC,
    tooSmall: [test.filter(isPos).length, test.filter((c) => !isPos(c)).length].some((k) => k < MIN_PER_CLASS),
    warning: flagged ? SHORTCUT_WARNING : null,
    failed,
  };
}

/** One line for logs and the CLI. */
export function describeAudit(a: ShortcutAudit): string {
  const f = (v: AuditView) => (v.testAuc === null ? 'n/a (a split lacks a class)' : `${v.testAuc.toFixed(3)} (95% CI ${v.testAucCi95![0].toFixed(3)}–${v.testAucCi95![1].toFixed(3)})`);
  return `metadata-only baseline (test AUC, ${a.positiveClass} vs rest): file cues ${f(a.file)}; model input after ${a.preprocess} ${f(a.modelInput)}${a.tooSmall ? ` (test split under ${MIN_PER_CLASS} per class: too small to conclude)` : ''}${a.warning ? ` — WARNING: ${a.warning}` : ''}`;
}

/** The audit ingest wrote, or null (with the reason) when the data report has none. */
export function readShortcutAudit(path = DATA_REPORT): { audit: ShortcutAudit | null; reason: string | null } {
  if (!existsSync(path)) return { audit: null, reason: `${path} is missing; run ingest` };
  const report = JSON.parse(readFileSync(path, 'utf8')) as { shortcutAudit?: ShortcutAudit };
  return report.shortcutAudit ? { audit: report.shortcutAudit, reason: null } : { audit: null, reason: `${path} has no shortcut audit; rerun ingest` };
}

/** The audit's figures as the contract's ModelMetrics carries them (metadata.json, the model card). */
export function auditMetrics(a: ShortcutAudit): { metadataOnlyRocAuc?: number; metadataOnlyRocAucCi95?: [number, number]; metadataOnlyInputRocAuc?: number; shortcutWarning?: string } {
  return {
    ...(a.file.testAuc !== null ? { metadataOnlyRocAuc: a.file.testAuc, metadataOnlyRocAucCi95: a.file.testAucCi95! } : {}),
    ...(a.modelInput.testAuc !== null ? { metadataOnlyInputRocAuc: a.modelInput.testAuc } : {}),
    ...(a.warning ? { shortcutWarning: a.warning } : {}),
  };
}
