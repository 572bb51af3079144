/**
 * The ingest stage: source → scanned files → content hashes → decoded (or cached) pixels →
 * duplicate groups → leak-free split → manifest + report. Everything downstream trusts this, so
 * anything doubtful (undecodable file, image with two labels) is left out and reported, never guessed.
 * One function per phase (ingest-hash, ingest-decode, ingest-split) and a report builder (ingest-report).
 */
import { join, resolve } from 'node:path';
import type { Params } from '../config/params';
import { writeJsonAtomic } from '../util/atomic';
import { decodeContents, type DecodedContents } from './ingest-decode';
import { groupByContent, hashFiles } from './ingest-hash';
import { buildDataReport, type DataReport } from './ingest-report';
import { groupAndSplitContents, manifestRows } from './ingest-split';
import { datasetVersion, MANIFEST_FILE, type Manifest } from './manifest';
import type { SourceOptions } from './sources';
import { combineScans, readSources, sourceLabel, type CombinedScan } from './multi-source';

export type { DataReport };

export interface IngestOptions {
  /** Where reports/data.json goes; null skips it. */
  reportPath: string | null;
  cacheDir: string;
  endpoints?: SourceOptions['endpoints'];
  env?: NodeJS.ProcessEnv;
}

export interface IngestResult {
  manifest: Manifest;
  report: DataReport;
}

/** Milliseconds since the previous call (the first: since `t0`). */
function lapTimer(t0: number): () => number {
  let last = t0;
  return () => {
    const now = performance.now();
    const d = Math.round(now - last);
    last = now;
    return d;
  };
}

/** The scan against params: every configured class found, and a layout the split mode can use. */
function checkScan(d: Params['data'], scan: CombinedScan): void {
  const found = [...new Set(scan.files.map((f) => f.class))].sort();
  const missing = d.classes.filter((c) => !found.includes(c));
  if (missing.length)
    throw new Error(`data.classes: ${missing.map((c) => `"${c}"`).join(', ')} not found in ${scan.root}; its class folders give: ${found.join(', ')}`);
  if (d.split_mode === 'source' && scan.layout !== 'split/class')
    throw new Error(`data.split_mode "source" needs train|valid|test folders, but ${scan.root} has only class folders; use "ratios"`);
  if (d.hold_out_source !== null && d.split_mode !== 'ratios') throw new Error('data.hold_out_source needs data.split_mode "ratios"');
}

/**
 * A run that keeps no image is a failure, never an empty manifest that later stages train on: the
 * error says what was found and why each file was left out (the commonest reasons first).
 */
function noImagesKept(scan: CombinedScan, read: number, decoded: DecodedContents, readSkipped: number): Error {
  const why = new Map<string, number>();
  for (const r of decoded.rejectedReason.values()) {
    const k = r.replace(/[:(].*$/, '').trim();
    why.set(k, (why.get(k) ?? 0) + 1);
  }
  const reasons = [...why].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
  const skipped = scan.skipped.length + readSkipped;
  return new Error(
    `${scan.root}: ingest kept 0 images of ${scan.files.length} files` +
      `${reasons.length ? ` (distinct contents left out: ${reasons.join(', ')})` : ''}` +
      `${skipped ? `; ${skipped} entries were not regular files or were past a limit` : ''}` +
      `${read === 0 ? '' : '; check data.classes and that the folders hold PNG, JPEG, WebP, GIF or TIFF images or DICOM'}`,
  );
}

export async function ingest(params: Params, opts: IngestOptions): Promise<IngestResult> {
  const t0 = performance.now();
  const lap = lapTimer(t0);
  const d = params.data;
  const preparedDir = resolve(d.prepared_dir);

  const sources = await readSources(d, opts);
  const tSource = lap();

  const scan = combineScans(sources);
  checkScan(d, scan);
  const tScan = lap();

  const { hashed, skipped: readSkipped } = await hashFiles(scan.files);
  const byContent = groupByContent(hashed);
  const tHash = lap();

  const decoded = await decodeContents(byContent, preparedDir);
  const tDecode = lap();

  const grouped = groupAndSplitContents(d, byContent, decoded.headers, sources.length > 1);
  const tGroup = lap();

  const { rows, moved } = manifestRows(d, byContent, grouped);
  const tSplit = lap();
  if (rows.length === 0) throw noImagesKept(scan, hashed.length, decoded, readSkipped.length);

  const manifest: Manifest = {
    datasetVersion: datasetVersion(rows, d.classes),
    source: sourceLabel(d),
    datasetRoot: scan.root,
    classes: [...d.classes],
    splitMode: d.split_mode,
    seed: d.seed,
    rows,
    ...(sources.length > 1 || d.sources ? { sources: Object.fromEntries(sources.map((s) => [s.name!, s.scan.root])) } : {}),
    ...(d.hold_out_source !== null ? { heldOutSource: d.hold_out_source } : {}),
  };
  writeJsonAtomic(join(preparedDir, MANIFEST_FILE), manifest);

  const timingsMs = { source: tSource, scan: tScan, hash: tHash, decode: tDecode, group: tGroup, split: tSplit, total: Math.round(performance.now() - t0) };
  const report = buildDataReport({ d, sources, scan, hashed, readSkipped, byContent, decoded, grouped, manifest, rows, moved, timingsMs });
  if (opts.reportPath) writeJsonAtomic(opts.reportPath, report);
  return { manifest, report };
}
