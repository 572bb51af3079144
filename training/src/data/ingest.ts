/**
 * The ingest stage: source → scanned files → content hashes → decoded (or cached) pixels →
 * duplicate groups → leak-free split → manifest + report. Everything downstream trusts this, so
 * anything doubtful (undecodable file, image with two labels) is left out and reported, never guessed.
 */
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toRgb } from '@respidetect/contract';
import type { Params } from '../config/params';
import { writeJsonAtomic } from '../util/atomic';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';
import { checkDecodable, decodeImage, DecodeError, extensionMismatch, sniffFormat, type ImageFormat } from './decode';
import { fingerprintRgb, groupAndSplit, type SplitContent } from '@respidetect/contract';
import { datasetVersion, MANIFEST_FILE, SPLITS, type Manifest, type ManifestRow, type Split } from './manifest';
import { peekPrepared, PREP_VERSION, writePrepared, type PreparedHeader } from './prepared';
import type { SourceOptions } from './sources';
import { combineScans, readSources, sourceLabel, sourceReports, type SourceFile, type SourceReport } from './multi-source';

export interface IngestOptions {
  /** Where reports/data.json goes; null skips it. */
  reportPath: string | null;
  cacheDir: string;
  endpoints?: SourceOptions['endpoints'];
  env?: NodeJS.ProcessEnv;
}

export interface DataReport {
  datasetVersion: string;
  source: string;
  datasetRoot: string;
  layout: 'class' | 'split/class';
  classes: string[];
  splitMode: Params['data']['split_mode'];
  seed: number;
  nearDuplicateBits: number;
  /** Kept distinct images per split and class (what later stages see). */
  counts: Record<Split, Record<string, number>> & { total: Record<string, number> };
  /** Files per source split/folder class as found, before anything was removed (all classes). */
  sourceCounts: Record<string, Record<string, number>>;
  files: { scanned: number; decodable: number; distinct: number; rejected: number; kept: number };
  duplicates: {
    /** Over the whole source (all class folders): contents found more than once. */
    exactGroups: number;
    exactRedundantCopies: number;
    /** Groups of distinct contents joined by dHash, and how many contents they hold. */
    nearGroups: number;
    nearGroupedImages: number;
    /** Groups whose copies the source put in more than one split (leaks it had). */
    crossSplitGroups: number;
    /** source mode: kept images whose group was moved off a later split to stop a leak. */
    movedBySplitRule: number;
  };
  labelConflicts: Array<{ group: string; classes: string[]; paths: string[] }>;
  rejected: Array<{ path: string; reason: string }>;
  rejectedByReason: Record<string, number>;
  extensionMismatches: Array<{ path: string; format: ImageFormat }>;
  /** Per data.sources entry: where it was found, its files, what its label map left out, kept images per split and class. */
  sources?: SourceReport[];
  heldOutSource?: string | null;
  /** Source classes not in data.classes: files left out on purpose. */
  excludedClasses: Record<string, number>;
  ignored: string[];
  decode: { decoded: number; cached: number; rejectedCached: number };
  timingsMs: Record<'source' | 'scan' | 'hash' | 'decode' | 'group' | 'split' | 'total', number>;
}

export interface IngestResult {
  manifest: Manifest;
  report: DataReport;
}

const REJECTED_FILE = 'rejected.json';

interface RejectedCache {
  version: number;
  reasons: Record<string, string>;
}

function loadRejectedCache(preparedDir: string): Record<string, string> {
  const file = join(preparedDir, REJECTED_FILE);
  if (!existsSync(file)) return {};
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as RejectedCache;
    return doc.version === PREP_VERSION ? doc.reasons : {};
  } catch {
    return {};
  }
}

/** Runs `fn` over items with at most `limit` in flight; results keep input order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Short reason for grouping in the report ("cannot decode: VipsJpeg: …" → "cannot decode"). */
const reasonKey = (reason: string) => reason.replace(/[:(].*$/, '').trim();

export async function ingest(params: Params, opts: IngestOptions): Promise<IngestResult> {
  const t0 = performance.now();
  const lap = (() => {
    let last = t0;
    return () => {
      const now = performance.now();
      const d = Math.round(now - last);
      last = now;
      return d;
    };
  })();
  const d = params.data;
  const preparedDir = resolve(d.prepared_dir);

  const sources = await readSources(d, opts);
  const tSource = lap();

  const scan = combineScans(sources);
  const found = [...new Set(scan.files.map((f) => f.class))].sort();
  const missing = d.classes.filter((c) => !found.includes(c));
  if (missing.length)
    throw new Error(`data.classes: ${missing.map((c) => `"${c}"`).join(', ')} not found in ${scan.root}; its class folders give: ${found.join(', ')}`);
  if (d.split_mode === 'source' && scan.layout !== 'split/class')
    throw new Error(`data.split_mode "source" needs train|valid|test folders, but ${scan.root} has only class folders; use "ratios"`);
  if (d.hold_out_source !== null && d.split_mode !== 'ratios') throw new Error('data.hold_out_source needs data.split_mode "ratios"');
  const tScan = lap();

  // Pass 1: hash and sniff every file. Cheap (no decoding) and all a cached rerun has to do.
  const hashBar = progress('ingest: hashing', scan.files.length, 'files');
  const hashed = await mapPool(scan.files, 8, async (f) => {
    const bytes = await readFile(f.absPath);
    hashBar.tick();
    return { file: f, sha256: sha256Hex(bytes), format: sniffFormat(bytes), size: bytes.length };
  });
  hashBar.done();
  const tHash = lap();

  // Pass 2: one decode per distinct content that the cache does not already hold.
  const byContent = new Map<string, { files: SourceFile[]; size: number }>();
  for (const h of hashed) {
    const e = byContent.get(h.sha256) ?? { files: [], size: h.size };
    e.files.push(h.file);
    byContent.set(h.sha256, e);
  }
  const rejectedCache = loadRejectedCache(preparedDir);
  const headers = new Map<string, PreparedHeader>();
  const rejectedReason = new Map<string, string>();
  const todo: string[] = [];
  let rejectedCached = 0;
  for (const sha of byContent.keys()) {
    const cachedReason = rejectedCache[sha];
    const header = cachedReason === undefined ? peekPrepared(preparedDir, sha) : null;
    if (cachedReason !== undefined) {
      rejectedReason.set(sha, cachedReason);
      rejectedCached++;
    } else if (header) headers.set(sha, header);
    else todo.push(sha);
  }
  const cached = headers.size;
  // A cached rerun has nothing to decode: no bar for it.
  const decodeBar = todo.length ? progress('ingest: decoding', todo.length, 'images') : { tick: () => undefined, done: () => undefined };
  await mapPool(todo, Math.max(2, availableParallelism()), async (sha) => {
    const file = byContent.get(sha)!.files[0]!;
    try {
      const bytes = await readFile(file.absPath);
      checkDecodable(file.path, bytes);
      const pixels = await decodeImage(bytes, file.path);
      const rgb = toRgb(pixels);
      const { width, height } = pixels;
      const header = { width, height, ...fingerprintRgb(rgb, width, height) };
      await writePrepared(preparedDir, sha, rgb, header);
      headers.set(sha, header);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      rejectedReason.set(sha, err.reason);
    }
    decodeBar.tick();
  });
  decodeBar.done();
  const newRejections = Object.fromEntries([...rejectedReason].sort(([a], [b]) => (a < b ? -1 : 1)));
  writeJsonAtomic(join(preparedDir, REJECTED_FILE), { version: PREP_VERSION, reasons: newRejections } satisfies RejectedCache);
  const tDecode = lap();

  // Groups over every decodable content of every class folder, so an image filed under two
  // labels is caught even when one of them is not in data.classes.
  const contents: SplitContent[] = [...headers].map(([sha, h]) => {
    const files = byContent.get(sha)!.files;
    return {
      sha256: sha,
      dhash: h.dhash,
      thumb: h.thumb,
      classes: new Set(files.map((f) => f.class)),
      sourceSplits: new Set(files.map((f) => f.sourceSplit).filter((s): s is Split => s !== null)),
      ...(sources.length > 1 ? { stratum: files.map((f) => f.source!).sort()[0]! } : {}),
    };
  });
  // Leave-one-source-out: the others are split into train and val only; the held-out source's
  // groups (and any group that shares a copy with it) then form the whole test split.
  const r = d.split_ratios;
  const ratios = d.hold_out_source === null ? r : { train: r.train / (r.train + r.val), val: r.val / (r.train + r.val), test: 0 };
  const grouped = groupAndSplit(contents, { nearBits: d.near_duplicate_bits, classes: d.classes, mode: d.split_mode, ratios, seed: d.seed });
  if (d.hold_out_source !== null)
    for (const [sha, group] of grouped.groupOf) if (byContent.get(sha)!.files.some((f) => f.source === d.hold_out_source)) grouped.splitOf.set(group, 'test');
  const tGroup = lap();

  const labelConflicts: DataReport['labelConflicts'] = grouped.conflicts.map((g) => ({
    group: g.id,
    classes: g.classes,
    paths: g.members.flatMap((sha) => byContent.get(sha)!.files.map((f) => f.path)).sort(),
  }));
  const { groupOf, splitOf } = grouped;

  const rows: ManifestRow[] = [];
  let moved = 0;
  for (const [sha, group] of groupOf) {
    const split = splitOf.get(group)!;
    const files = byContent.get(sha)!.files;
    // The representative copy: one from the split it lands in when the source had one there.
    const inSplit = files.filter((f) => f.sourceSplit === split);
    const rep = (inSplit.length ? inSplit : files).map((f) => f.path).sort()[0]!;
    if (d.split_mode === 'source' && inSplit.length === 0) moved++;
    const source = files.find((f) => f.path === rep)!.source;
    rows.push({ path: rep, sha256: sha, class: files[0]!.class, split, group, ...(source !== null ? { source } : {}) });
  }
  rows.sort((a, b) => (a.path < b.path ? -1 : 1));
  const tSplit = lap();

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

  const counts = Object.fromEntries(
    [...SPLITS, 'total'].map((s) => [s, Object.fromEntries(d.classes.map((c) => [c, rows.filter((r) => (s === 'total' || r.split === s) && r.class === c).length]))]),
  ) as DataReport['counts'];
  const sourceCounts: DataReport['sourceCounts'] = {};
  for (const f of scan.files) {
    const k = f.sourceSplit ?? 'all';
    sourceCounts[k] ??= {};
    sourceCounts[k][f.class] = (sourceCounts[k][f.class] ?? 0) + 1;
  }
  const rejected = hashed
    .filter((h) => rejectedReason.has(h.sha256))
    .map((h) => ({ path: h.file.path, reason: rejectedReason.get(h.sha256)! }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const rejectedByReason: Record<string, number> = {};
  for (const r of rejected) rejectedByReason[reasonKey(r.reason)] = (rejectedByReason[reasonKey(r.reason)] ?? 0) + 1;
  const decodable = [...byContent].filter(([sha]) => headers.has(sha));
  const excludedClasses: Record<string, number> = {};
  for (const f of scan.files) if (!d.classes.includes(f.class)) excludedClasses[f.class] = (excludedClasses[f.class] ?? 0) + 1;

  const report: DataReport = {
    datasetVersion: manifest.datasetVersion,
    source: sourceLabel(d),
    ...(d.sources ? { sources: sourceReports(sources, rows, d.classes), heldOutSource: d.hold_out_source } : {}),
    datasetRoot: scan.root,
    layout: scan.layout,
    classes: [...d.classes],
    splitMode: d.split_mode,
    seed: d.seed,
    nearDuplicateBits: d.near_duplicate_bits,
    counts,
    sourceCounts,
    files: {
      scanned: scan.files.length,
      decodable: decodable.reduce((s, [, e]) => s + e.files.length, 0),
      distinct: decodable.length,
      rejected: rejected.length,
      kept: rows.length,
    },
    duplicates: {
      exactGroups: decodable.filter(([, e]) => e.files.length > 1).length,
      exactRedundantCopies: decodable.reduce((s, [, e]) => s + e.files.length - 1, 0),
      nearGroups: grouped.nearGroups,
      nearGroupedImages: grouped.nearGroupedContents,
      crossSplitGroups: grouped.crossSplitGroups,
      movedBySplitRule: moved,
    },
    labelConflicts,
    rejected,
    rejectedByReason,
    extensionMismatches: hashed
      .filter((h) => h.format && headers.has(h.sha256) && extensionMismatch(h.file.path, h.format))
      .map((h) => ({ path: h.file.path, format: h.format! }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    excludedClasses,
    ignored: scan.ignored,
    decode: { decoded: todo.length, cached, rejectedCached },
    timingsMs: { source: tSource, scan: tScan, hash: tHash, decode: tDecode, group: tGroup, split: tSplit, total: Math.round(performance.now() - t0) },
  };
  if (opts.reportPath) writeJsonAtomic(opts.reportPath, report);
  return { manifest, report };
}
