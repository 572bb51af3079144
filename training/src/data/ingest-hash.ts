/**
 * Ingest pass 1: hash and sniff every file. Cheap (no decoding) and all a cached rerun has to do;
 * files with one content are then handled once, whatever folders hold them.
 */
import { FileRefusal } from '@respidetect/contract';
import { sha256Hex } from '../util/hash';
import { mapPool } from '../util/map-pool';
import { progress } from '../util/progress';
import { sniffFormat, type ImageFormat } from './decode';
import type { SourceFile } from './multi-source';
import { readInputFile } from './read-input';
import type { SkippedEntry } from './walk';

export interface HashedFile {
  file: SourceFile;
  sha256: string;
  format: ImageFormat | null;
  size: number;
}

/** Every content once, with every file that holds it. */
export type ByContent = Map<string, { files: SourceFile[]; size: number }>;

/**
 * Reads and hashes every file through the bounded reader. A file refused at the read (it became a
 * FIFO or grew past the size limit after the scan) is skipped and returned with its code, like the
 * scan's own skipped entries.
 */
export async function hashFiles(files: readonly SourceFile[]): Promise<{ hashed: HashedFile[]; skipped: SkippedEntry[] }> {
  const bar = progress('ingest: hashing', files.length, 'files');
  const skipped: SkippedEntry[] = [];
  const read = await mapPool(files, 8, async (f): Promise<HashedFile | null> => {
    try {
      const bytes = await readInputFile(f.absPath, f.path);
      return { file: f, sha256: sha256Hex(bytes), format: sniffFormat(bytes), size: bytes.length };
    } catch (err) {
      if (!(err instanceof FileRefusal)) throw err;
      skipped.push({ path: f.path, code: err.code, reason: err.message });
      return null;
    } finally {
      bar.tick();
    }
  });
  bar.done();
  return { hashed: read.filter((h): h is HashedFile => h !== null), skipped };
}

export function groupByContent(hashed: readonly HashedFile[]): ByContent {
  const byContent: ByContent = new Map();
  for (const h of hashed) {
    const e = byContent.get(h.sha256) ?? { files: [], size: h.size };
    e.files.push(h.file);
    byContent.set(h.sha256, e);
  }
  return byContent;
}
