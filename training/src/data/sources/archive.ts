/**
 * Downloaded archive → extracted folder, both cached under `.cache/datasets`: the archive by the
 * source it came from, the extraction by the archive's sha256, so a rerun neither downloads nor
 * unzips again and two sources with the same bytes share one extraction.
 */
import { closeSync, existsSync, openSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { downloadFile, type DownloadOptions } from '../../util/download';
import { hashFile, sha256Hex } from '../../util/hash';
import { extractZip, UnsafeArchiveError } from '../../util/unzip';

export function archivePath(cacheDir: string, source: string): string {
  return join(cacheDir, 'downloads', `${sha256Hex(source).slice(0, 16)}.zip`);
}

/** The archive when it is already cached (and matches the expected sha256 when one is given). */
export async function cachedArchive(path: string, sha256: string | null | undefined): Promise<string | null> {
  if (!existsSync(path)) return null;
  if (!sha256) return path;
  return (await hashFile(path)) === sha256.trim().toLowerCase() ? path : null;
}

function assertZip(path: string, label: string): void {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64);
  const n = readSync(fd, head, 0, 64, 0);
  closeSync(fd);
  if (n >= 4 && head.readUInt32LE(0) === 0x04034b50) return;
  const text = head.subarray(0, n).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  unlinkSync(path);
  throw new UnsafeArchiveError(`${label}: the download is not a zip archive (it starts with "${text.slice(0, 40)}"); an HTML page usually means an access or quota problem`, 'unsupported-format');
}

export async function downloadArchive(opts: DownloadOptions): Promise<string> {
  const cached = await cachedArchive(opts.dest, opts.sha256);
  if (!cached) await downloadFile(opts);
  assertZip(opts.dest, opts.label ?? opts.url);
  return opts.dest;
}

/** Extracts once per archive content; returns the extracted folder. */
export async function extractCached(archive: string, cacheDir: string): Promise<string> {
  const sha = await hashFile(archive);
  const dir = join(cacheDir, 'extracted', sha.slice(0, 16));
  // extractZip renames into place only when complete, so existence means a full extraction.
  if (!existsSync(dir)) await extractZip(archive, dir);
  return dir;
}
