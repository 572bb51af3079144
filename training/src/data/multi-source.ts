/**
 * Several sources in one ingest (data.sources): each is fetched and scanned like the single
 * data.source, its folders are mapped to data.classes by its label map, and the files are put
 * under one root (the sources' common ancestor) so every row path still joins onto datasetRoot.
 * A folder the label map leaves out keeps a class of its own ("<source>/<folder>"): it is not
 * trained on, but it is still grouped, so an image filed there and under a kept class elsewhere
 * is caught as a label conflict. With a single data.source nothing here changes a path or a class.
 */
import { join, relative, sep } from 'node:path';
import type { DataSource, Params } from '../config/params';
import type { ManifestRow, Split } from './manifest';
import { scanDataset, type ScannedFile, type ScanResult } from './scan';
import { resolveSource, type SourceOptions } from './sources';

export interface SourceFile extends ScannedFile {
  /** The data.sources name; null for a single data.source. */
  source: string | null;
}

export interface LoadedSource {
  name: string | null;
  source: string;
  labelMap: Record<string, string> | null;
  scan: ScanResult;
}

export interface CombinedScan {
  root: string;
  layout: ScanResult['layout'];
  files: SourceFile[];
  ignored: string[];
  /** What the walker would not read (FIFOs, devices, link loops, oversized files), paths as in `files`. */
  skipped: ScanResult['skipped'];
}

export interface SourceReport {
  name: string;
  source: string;
  root: string;
  files: number;
  /** Folders (class ids) this source's label map does not map, with their file counts: left out. */
  unmappedFolders: Record<string, number>;
  /** Kept distinct images per split and class. */
  counts: Record<Split, Record<string, number>>;
}

interface FetchOptions {
  cacheDir: string;
  endpoints?: SourceOptions['endpoints'];
  env?: NodeJS.ProcessEnv;
}

const specsOf = (d: Params['data']): DataSource[] =>
  d.sources ?? [{ name: '', source: d.source, sha256: d.sha256, label_map: null, labels: d.labels, dicomweb_cache: d.dicomweb_cache }];

export async function readSources(d: Params['data'], opts: FetchOptions): Promise<LoadedSource[]> {
  const out: LoadedSource[] = [];
  for (const s of specsOf(d)) {
    const src = await resolveSource(s.source, { cacheDir: opts.cacheDir, sha256: s.sha256 ?? null, endpoints: opts.endpoints, env: opts.env, labels: s.labels ?? null, dicomwebCache: s.dicomweb_cache ?? null });
    const scan = scanDataset(src.dir);
    // A DICOMweb series refused before retrieval (not CT) is reported beside what the walker skipped.
    if (src.skipped) scan.skipped.push(...src.skipped);
    out.push({ name: d.sources ? s.name : null, source: s.source, labelMap: s.label_map ?? null, scan });
  }
  return out;
}

/** The deepest folder that holds every path. */
function commonAncestor(paths: readonly string[]): string {
  const parts = paths.map((p) => p.split(sep));
  const first = parts[0]!;
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

/** Folder-given class → the class the label map says (or the folder's own id when there is no map). */
function mapClass(s: LoadedSource, f: ScannedFile): string {
  if (!s.labelMap) return f.class;
  return s.labelMap[f.folder] ?? s.labelMap[f.class] ?? `${s.name}/${f.class}`;
}

export function combineScans(sources: readonly LoadedSource[]): CombinedScan {
  if (sources.length === 1 && sources[0]!.name === null) {
    const { scan } = sources[0]!;
    return { root: scan.root, layout: scan.layout, files: scan.files.map((f) => ({ ...f, source: null })), ignored: scan.ignored, skipped: scan.skipped };
  }
  const root = commonAncestor(sources.map((s) => s.scan.root));
  const rel = (abs: string) => relative(root, abs).split(sep).join('/');
  return {
    root,
    layout: sources.every((s) => s.scan.layout === 'split/class') ? 'split/class' : 'class',
    files: sources.flatMap((s) => s.scan.files.map((f) => ({ ...f, path: rel(f.absPath), class: mapClass(s, f), source: s.name }))),
    ignored: sources.flatMap((s) => s.scan.ignored.map((i) => `${s.name}: ${i}`)),
    skipped: sources.flatMap((s) => s.scan.skipped.map((k) => ({ ...k, path: rel(join(s.scan.root, k.path)) }))),
  };
}

export function sourceLabel(d: Params['data']): string {
  return d.sources ? d.sources.map((s) => `${s.name}=${s.source}`).join(', ') : d.source;
}

export function sourceReports(sources: readonly LoadedSource[], rows: readonly ManifestRow[], classes: readonly string[]): SourceReport[] {
  return sources.map((s) => {
    const unmappedFolders: Record<string, number> = {};
    for (const f of s.scan.files) {
      const cls = mapClass(s, f);
      if (!classes.includes(cls)) unmappedFolders[f.class] = (unmappedFolders[f.class] ?? 0) + 1;
    }
    const mine = rows.filter((r) => r.source === s.name);
    const counts = Object.fromEntries(
      (['train', 'val', 'test'] as const).map((sp) => [sp, Object.fromEntries(classes.map((c) => [c, mine.filter((r) => r.split === sp && r.class === c).length]))]),
    ) as SourceReport['counts'];
    return { name: s.name!, source: s.source, root: s.scan.root, files: s.scan.files.length, unmappedFolders, counts };
  });
}
