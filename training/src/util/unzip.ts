/**
 * Safe zip extraction for downloaded datasets. An archive from the internet is untrusted, so the
 * whole archive is refused (with the offending entry named) when any entry:
 * - would land outside the target folder (zip-slip: "../x", "/etc/x", "C:\x");
 * - is a symbolic link (a later entry could write through it);
 * - inflates absurdly (a zip bomb), or the archive as a whole is too large.
 * Extraction goes to a temporary sibling folder renamed into place at the end, so a crash never
 * leaves a half-extracted dataset that looks complete.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { progress } from './progress';

export interface UnzipLimits {
  /** Largest uncompressed/compressed ratio accepted for an entry bigger than 1 MiB. */
  maxRatio: number;
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_UNZIP_LIMITS: UnzipLimits = { maxRatio: 100, maxTotalBytes: 20 * 2 ** 30, maxEntries: 200_000 };

export class UnsafeArchiveError extends Error {
  override name = 'UnsafeArchiveError';
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Checks every entry first (the central directory is cheap to read), then extracts. */
export async function extractZip(archive: string, dest: string, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS): Promise<{ files: number; bytes: number }> {
  const refuse = (why: string): never => {
    throw new UnsafeArchiveError(`${archive}: refusing to extract: ${why}`);
  };
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archive, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false });
  } catch (err) {
    throw new Error(`${archive}: not a readable zip archive (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  try {
    if (zip.entryCount > limits.maxEntries) refuse(`${zip.entryCount} entries (limit ${limits.maxEntries})`);
    const entries: Array<{ entry: yauzl.Entry; name: string }> = [];
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      const bad = yauzl.validateFileName(name);
      if (bad) refuse(`entry "${name}" would be written outside the target folder (zip-slip: ${bad.replace(/:.*$/, '')})`);
      const target = resolve(dest, name);
      if (target !== resolve(dest) && !target.startsWith(resolve(dest) + sep)) refuse(`entry "${name}" would be written outside the target folder (zip-slip)`);
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) refuse(`entry "${name}" is a symbolic link`);
      if (entry.isEncrypted()) refuse(`entry "${name}" is encrypted`);
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > 2 ** 20 && ratio > limits.maxRatio)
        refuse(`entry "${name}" expands ${ratio.toFixed(0)}:1 (${entry.uncompressedSize} bytes from ${entry.compressedSize}); limit ${limits.maxRatio}:1 — likely a zip bomb`);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) refuse(`more than ${limits.maxTotalBytes} bytes uncompressed`);
      entries.push({ entry, name });
    }

    const tmp = `${dest}.extracting-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const bar = progress(`unzip ${archive.split(/[\\/]/).pop() ?? archive}`, entries.length, 'files');
    let files = 0;
    try {
      for (const { entry, name } of entries) {
        const out = join(tmp, name);
        if (name.endsWith('/')) {
          mkdirSync(out, { recursive: true });
        } else {
          mkdirSync(dirname(out), { recursive: true });
          // validateEntrySizes makes the stream fail if the data inflates past the declared size.
          await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(out));
          files++;
        }
        bar.tick();
      }
      bar.done();
      if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
      renameSync(tmp, dest);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    return { files, bytes: total };
  } finally {
    zip.close();
  }
}
