/** reports/data.json: what ingest found, kept, left out and why, built from the phases' results. */
import type { GroupSplit, RefusalCode } from '@respidetect/contract';
import type { Params } from '../config/params';
import { extensionMismatch, type ImageFormat } from './decode';
import type { DecodedContents } from './ingest-decode';
import type { ByContent, HashedFile } from './ingest-hash';
import { SPLITS, type Manifest, type ManifestRow, type Split } from './manifest';
import { sourceReports, type CombinedScan, type LoadedSource, type SourceReport } from './multi-source';
import type { SkippedEntry } from './walk';

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
  rejected: Array<{ path: string; reason: string; code: RefusalCode }>;
  rejectedByReason: Record<string, number>;
  /** Entries never read: not regular files (FIFOs, devices, sockets, dangling links, link loops; code 'not-regular-file'), files past the size limit, folders past the depth limit. */
  skipped: SkippedEntry[];
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

export interface ReportInputs {
  d: Params['data'];
  sources: readonly LoadedSource[];
  scan: CombinedScan;
  hashed: readonly HashedFile[];
  /** Scanned files the bounded reader refused (they changed after the scan). */
  readSkipped: readonly SkippedEntry[];
  byContent: ByContent;
  decoded: DecodedContents;
  grouped: GroupSplit;
  manifest: Manifest;
  rows: readonly ManifestRow[];
  moved: number;
  timingsMs: DataReport['timingsMs'];
}

/** Short reason for grouping in the report ("cannot decode: VipsJpeg: …" → "cannot decode"). */
const reasonKey = (reason: string) => reason.replace(/[:(].*$/, '').trim();
const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);

export function buildDataReport(x: ReportInputs): DataReport {
  const { d, scan, rows, byContent } = x;
  const { headers, rejectedReason } = x.decoded;
  const counts = Object.fromEntries(
    [...SPLITS, 'total'].map((s) => [s, Object.fromEntries(d.classes.map((c) => [c, rows.filter((r) => (s === 'total' || r.split === s) && r.class === c).length]))]),
  ) as DataReport['counts'];
  const sourceCounts: DataReport['sourceCounts'] = {};
  for (const f of scan.files) {
    const k = f.sourceSplit ?? 'all';
    sourceCounts[k] ??= {};
    sourceCounts[k][f.class] = (sourceCounts[k][f.class] ?? 0) + 1;
  }
  const rejected = x.hashed
    .filter((h) => rejectedReason.has(h.sha256))
    .map((h) => ({ path: h.file.path, reason: rejectedReason.get(h.sha256)!, code: x.decoded.rejectedCode.get(h.sha256) ?? 'malformed' }))
    .sort(byPath);
  const rejectedByReason: Record<string, number> = {};
  for (const r of rejected) rejectedByReason[reasonKey(r.reason)] = (rejectedByReason[reasonKey(r.reason)] ?? 0) + 1;
  const decodable = [...byContent].filter(([sha]) => headers.has(sha));
  const excludedClasses: Record<string, number> = {};
  for (const f of scan.files) if (!d.classes.includes(f.class)) excludedClasses[f.class] = (excludedClasses[f.class] ?? 0) + 1;

  return {
    datasetVersion: x.manifest.datasetVersion,
    source: x.manifest.source,
    ...(d.sources ? { sources: sourceReports(x.sources, rows, d.classes), heldOutSource: d.hold_out_source } : {}),
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
      nearGroups: x.grouped.nearGroups,
      nearGroupedImages: x.grouped.nearGroupedContents,
      crossSplitGroups: x.grouped.crossSplitGroups,
      movedBySplitRule: x.moved,
    },
    labelConflicts: x.grouped.conflicts.map((g) => ({
      group: g.id,
      classes: g.classes,
      paths: g.members.flatMap((sha) => byContent.get(sha)!.files.map((f) => f.path)).sort(),
    })),
    rejected,
    rejectedByReason,
    skipped: [...scan.skipped, ...x.readSkipped].sort(byPath),
    extensionMismatches: x.hashed
      .filter((h) => h.format && headers.has(h.sha256) && extensionMismatch(h.file.path, h.format))
      .map((h) => ({ path: h.file.path, format: h.format! }))
      .sort(byPath),
    excludedClasses,
    ignored: scan.ignored,
    decode: x.decoded.stats,
    timingsMs: x.timingsMs,
  };
}
