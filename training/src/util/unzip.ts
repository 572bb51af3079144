/**
 * Safe zip extraction for downloaded datasets. An archive from the internet is untrusted, so the
 * whole archive is refused (with the offending entry named) when any entry:
 * - would land outside the target folder (zip-slip: "../x", "/etc/x", "C:\x");
 * - is a symbolic link (a later entry could write through it);
 * - is larger than one input file may be, or inflates absurdly against its compressed size;
 * or when all entries together inflate past an absolute bound or too many times the archive's own
 * size (3,000 entries of exactly 1 MiB each pass any per-entry ratio rule, yet make 3 GB of 3.4 MB).
 * Each bound is checked twice: from the sizes the central directory declares, before anything is
 * written, and on the bytes as they are inflated, because declared sizes can lie. The limits live
 * in config/limits.ts (UNZIP_LIMITS).
 * Extraction goes to a temporary sibling folder renamed into place at the end, so a crash or a
 * refusal never leaves a half-extracted dataset that looks complete.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { FileRefusal, type RefusalCode } from '@respidetect/contract';
import { mib, UNZIP_LIMITS, type UnzipLimits } from '../config/limits';
import { progress } from './progress';

export type { UnzipLimits };
export const DEFAULT_UNZIP_LIMITS: UnzipLimits = { ...UNZIP_LIMITS };

/** The archive as a whole is refused; `code` says by which rule ('inflate-limit' for every size bound). */
export class UnsafeArchiveError extends FileRefusal {
  override name = 'UnsafeArchiveError';
  constructor(message: string, code: RefusalCode) {
    super(message, 'refused', { code });
  }
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The most all entries together may inflate to, for an archive of `archiveBytes`. */
export function totalBound(archiveBytes: number, limits: UnzipLimits): number {
  return Math.min(limits.maxTotalBytes, Math.max(limits.totalRatioFloorBytes, archiveBytes * limits.maxTotalRatio));
}

/** Checks every entry first (the central directory is cheap to read), then extracts, counting bytes as they come. */
export async function extractZip(archive: string, dest: string, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS): Promise<{ files: number; bytes: number }> {
  const refuse = (why: string, code: RefusalCode = 'inflate-limit'): never => {
    throw new UnsafeArchiveError(`${archive}: refusing to extract: ${why}`, code);
  };
  const archiveBytes = statSync(archive).size;
  const maxTotal = totalBound(archiveBytes, limits);
  const totalRule = `${mib(maxTotal)} in all (at most ${limits.maxTotalRatio}× the ${mib(archiveBytes)} archive, and never more than ${mib(limits.maxTotalBytes)})`;
  const entryRule = `the ${mib(limits.maxEntryBytes)} limit for one file`;
  let zip: yauzl.ZipFile;
  try {
    // Entry sizes are checked below, on the bytes as they inflate (one place for every size rule), not by yauzl.
    zip = await yauzl.openPromise(archive, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: false });
  } catch (err) {
    throw new UnsafeArchiveError(`${archive}: not a readable zip archive (${err instanceof Error ? err.message : String(err)})`, 'malformed');
  }
  try {
    if (zip.entryCount > limits.maxEntries) refuse(`${zip.entryCount} entries (limit ${limits.maxEntries})`);
    const entries: Array<{ entry: yauzl.Entry; name: string }> = [];
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileName as unknown as Buffer, entry.extraFields, false);
      const bad = yauzl.validateFileName(name);
      if (bad) refuse(`entry "${name}" would be written outside the target folder (zip-slip: ${bad.replace(/:.*$/, '')})`, 'malformed');
      const target = resolve(dest, name);
      if (target !== resolve(dest) && !target.startsWith(resolve(dest) + sep)) refuse(`entry "${name}" would be written outside the target folder (zip-slip)`, 'malformed');
      const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
      if (mode === S_IFLNK) refuse(`entry "${name}" is a symbolic link`, 'not-regular-file');
      if (entry.isEncrypted()) refuse(`entry "${name}" is encrypted`, 'unsupported-variant');
      if (entry.uncompressedSize > limits.maxEntryBytes) refuse(`entry "${name}" declares ${mib(entry.uncompressedSize)}, past ${entryRule}`);
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > 2 ** 20 && ratio > limits.maxEntryRatio)
        refuse(`entry "${name}" expands ${ratio.toFixed(0)}:1 (${entry.uncompressedSize} bytes from ${entry.compressedSize}); limit ${limits.maxEntryRatio}:1 — likely a zip bomb`);
      declared += entry.uncompressedSize;
      if (declared > maxTotal) refuse(`its entries declare more than ${totalRule} — likely a zip bomb`);
      entries.push({ entry, name });
    }

    const tmp = `${dest}.extracting-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const bar = progress(`unzip ${archive.split(/[\\/]/).pop() ?? archive}`, entries.length, 'files');
    let files = 0;
    let total = 0;
    try {
      for (const { entry, name } of entries) {
        const out = join(tmp, name);
        if (name.endsWith('/')) {
          mkdirSync(out, { recursive: true });
        } else {
          mkdirSync(dirname(out), { recursive: true });
          let inEntry = 0;
          const lie = () => new UnsafeArchiveError(`${archive}: refusing to extract: entry "${name}" inflates to ${inEntry} bytes, not the ${entry.uncompressedSize} it declares`, 'malformed');
          // The bytes that really inflate, whatever the headers say: the limits again, and the declared size itself.
          const count = new Transform({
            transform(chunk: Buffer, _enc, done) {
              inEntry += chunk.length;
              total += chunk.length;
              if (inEntry > limits.maxEntryBytes) done(new UnsafeArchiveError(`${archive}: refusing to extract: entry "${name}" inflates past ${entryRule}`, 'inflate-limit'));
              else if (total > maxTotal) done(new UnsafeArchiveError(`${archive}: refusing to extract: its entries inflate past ${totalRule} — likely a zip bomb`, 'inflate-limit'));
              else if (inEntry > entry.uncompressedSize) done(lie());
              else done(null, chunk);
            },
            flush(done) {
              done(inEntry === entry.uncompressedSize ? null : lie());
            },
          });
          try {
            await pipeline(await zip.openReadStreamPromise(entry), count, createWriteStream(out));
          } catch (err) {
            if (err instanceof UnsafeArchiveError) throw err;
            // yauzl's own checks (a bad CRC, a truncated entry) mean a damaged archive.
            refuse(`entry "${name}" is damaged (${err instanceof Error ? err.message : String(err)})`, 'malformed');
          }
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
