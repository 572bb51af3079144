/**
 * `data.source` → a local folder holding the dataset. Local folders are used in place; URL, Drive
 * and Kaggle sources are downloaded into `.cache/datasets` and extracted once.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { archivePath, downloadArchive, extractCached } from './archive';
import { verifyContent } from './content-check';
import { fetchGdrive, GDRIVE_URL } from './gdrive';
import { fetchKaggle, KAGGLE_API } from './kaggle';
import { KNOWN_CONTENT } from './known';
import { processEnv } from '../../config/env';
import type { SkippedEntry } from '../walk';
import { retrieveDicomWeb } from './dicomweb';
import { sha256Hex } from '../../util/hash';

/** Where a DICOMweb source's series are cached by default: one folder per base URL (and labels CSV, for ingest). */
export function dicomWebCacheDir(url: string, labels?: string): string {
  const key = sha256Hex(labels === undefined ? url : `${url}\n${resolve(labels)}`).slice(0, 16);
  return resolve('.cache', 'dicomweb', key);
}

export interface SourceOptions {
  /** Where downloads and extractions are cached. */
  cacheDir: string;
  /** Expected sha256 of the downloaded archive (params data.sha256). */
  sha256?: string | null;
  /** Base URLs, overridable so tests can point them at a loopback server. */
  endpoints?: { gdrive?: string; kaggle?: string };
  env?: NodeJS.ProcessEnv;
  /** A dicomweb: source's labels CSV and cache folder (params data.labels, data.dicomweb_cache). */
  labels?: string | null;
  dicomwebCache?: string | null;
}

export interface ResolvedSource {
  kind: 'local' | 'url' | 'gdrive' | 'kaggle' | 'dicomweb';
  dir: string;
  archive?: string;
  /** Series a dicomweb: source refused before fetching (not CT), as the walker reports what it skips. */
  skipped?: SkippedEntry[];
}

export async function resolveSource(source: string, opts: SourceOptions): Promise<ResolvedSource> {
  const env = opts.env ?? processEnv();
  const cacheDir = resolve(opts.cacheDir);
  const dest = archivePath(cacheDir, source);
  let kind: ResolvedSource['kind'];
  let archive: string;
  if (source.startsWith('dicomweb:')) {
    const url = source.slice('dicomweb:'.length);
    if (!opts.labels) throw new Error(`data.source "${source}": a dicomweb: source needs data.labels (a CSV StudyInstanceUID,SeriesInstanceUID,class)`);
    // exclusive: ingest reads the whole cache folder, so it must hold this CSV's series only.
    const got = await retrieveDicomWeb({ url, labels: opts.labels, cacheDir: opts.dicomwebCache ?? dicomWebCacheDir(url, opts.labels), env, exclusive: true });
    return { kind: 'dicomweb', dir: got.dir, skipped: got.refused.map((r) => ({ path: r.path, code: 'not-ct', reason: `${r.path}: ${r.reason}` })) };
  }
  if (/^https?:\/\//i.test(source)) {
    kind = 'url';
    archive = await downloadArchive({ url: source, dest, sha256: opts.sha256 ?? undefined, label: source.split('/').pop() || source });
  } else if (source.startsWith('gdrive:')) {
    kind = 'gdrive';
    archive = await fetchGdrive(source.slice('gdrive:'.length), dest, {
      baseUrl: opts.endpoints?.gdrive ?? env.RESPIDETECT_GDRIVE_URL ?? GDRIVE_URL,
      sha256: opts.sha256,
    });
  } else if (source.startsWith('kaggle:')) {
    kind = 'kaggle';
    archive = await fetchKaggle(source.slice('kaggle:'.length), dest, {
      baseUrl: opts.endpoints?.kaggle ?? env.RESPIDETECT_KAGGLE_API ?? KAGGLE_API,
      sha256: opts.sha256,
      env,
    });
  } else {
    const dir = resolve(source);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(`data.source "${source}": no such folder (a source is a folder, https://…zip, gdrive:<id>, kaggle:<owner>/<slug> or dicomweb:<URL>)`);
    return { kind: 'local', dir };
  }
  const dir = await extractCached(archive, cacheDir);
  // A known source is checked by content: a Drive file's archive hash is not known in advance.
  const expected = KNOWN_CONTENT[source];
  if (expected) await verifyContent(dir, expected, source);
  return { kind, dir, archive };
}
