/**
 * Checks a downloaded dataset by what it holds, for sources whose archive hash cannot be known in
 * advance (a Drive file can be re-zipped with the same content): file count, byte total, files per
 * class folder, and the DVC directory hash that DVC records in dvc.lock for the same folder.
 *
 * DVC's directory hash (dvc-data's Tree): md5 of every file; the list of {"md5", "relpath"} entries,
 * '/'-separated paths sorted by their path components, serialised as Python's
 * `json.dumps(entries, sort_keys=True)` (", " and ": " separators, non-ASCII escaped as \uXXXX);
 * the md5 of those bytes, suffixed ".dir".
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { hashFile } from '../../util/hash';
import { progress } from '../../util/progress';
import { findDatasetRoot } from '../scan';
// The one walker: litter (.DS_Store, __MACOSX) is skipped as ingest skips it; DVC-tracked folders never held any.
import { openFolder, walkFiles } from '../walk';

export interface DirEntry {
  /** '/'-separated, relative to the hashed folder. */
  relpath: string;
  md5: string;
}

export interface ExpectedContent {
  /** What the set is, for messages. */
  name: string;
  files: number;
  bytes: number;
  /** Files per top-level folder (class). */
  folders: Record<string, number>;
  /** As in dvc.lock: "<md5>.dir". */
  dvcDirHash: string;
}

export interface ContentDigest {
  files: number;
  bytes: number;
  folders: Record<string, number>;
  dvcDirHash: string;
}

/** Python's json.dumps string escaping with ensure_ascii (the default). */
const pyString = (s: string): string => JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const byComponents = (a: string, b: string): number => {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return pa.length - pb.length;
};

export function dvcDirHash(entries: readonly DirEntry[]): string {
  const sorted = [...entries].sort((a, b) => byComponents(a.relpath, b.relpath));
  const text = `[${sorted.map((e) => `{"md5": ${pyString(e.md5)}, "relpath": ${pyString(e.relpath)}}`).join(', ')}]`;
  return `${createHash('md5').update(text, 'utf8').digest('hex')}.dir`;
}

/** Digest of the given files, named by their relpath in the tree being checked. */
export async function digestFiles(files: ReadonlyArray<{ relpath: string; absPath: string }>): Promise<ContentDigest> {
  const bar = progress('content check', files.length, 'files');
  const entries: DirEntry[] = [];
  let bytes = 0;
  const folders: Record<string, number> = {};
  for (const f of files) {
    entries.push({ relpath: f.relpath, md5: await hashFile(f.absPath, 'md5') });
    bytes += statSync(f.absPath).size;
    const top = f.relpath.includes('/') ? f.relpath.slice(0, f.relpath.indexOf('/')) : '.';
    folders[top] = (folders[top] ?? 0) + 1;
    bar.tick();
  }
  bar.done();
  return { files: files.length, bytes, folders, dvcDirHash: dvcDirHash(entries) };
}

/** Digest of the dataset folder below `dir` (wrapper folders skipped as ingest skips them). */
export function digestTree(dir: string): Promise<ContentDigest> {
  return digestFiles(walkFiles(openFolder(findDatasetRoot(dir))).files.map((f) => ({ relpath: f.rel, absPath: f.abs })));
}

/** Throws, naming every difference, when the folder below `dir` is not the expected content. */
export async function verifyContent(dir: string, expected: ExpectedContent, label: string): Promise<ContentDigest> {
  const got = await digestTree(dir);
  if (got.dvcDirHash === expected.dvcDirHash) return got;
  const diffs: string[] = [];
  if (got.files !== expected.files) diffs.push(`${got.files} files, expected ${expected.files}`);
  if (got.bytes !== expected.bytes) diffs.push(`${got.bytes} bytes, expected ${expected.bytes}`);
  for (const f of [...new Set([...Object.keys(expected.folders), ...Object.keys(got.folders)])].sort()) {
    const [g, e] = [got.folders[f] ?? 0, expected.folders[f] ?? 0];
    if (g !== e) diffs.push(`folder "${f}" has ${g} files, expected ${e}`);
  }
  if (diffs.length === 0) diffs.push('the same number of files and bytes in the same folders, so at least one file has different content or a different name');
  throw new Error(
    `${label}: the downloaded data is not ${expected.name}: its DVC directory hash is ${got.dvcDirHash}, expected ${expected.dvcDirHash}; ${diffs.join('; ')}. ` +
      'Delete .cache/datasets to download it again, or point data.source at the data you mean to use.',
  );
}
