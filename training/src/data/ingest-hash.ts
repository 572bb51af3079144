/**
 * Ingest pass 1: hash and sniff every file. Cheap (no decoding) and all a cached rerun has to do;
 * files with one content are then handled once, whatever folders hold them.
 */
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../util/hash';
import { mapPool } from '../util/map-pool';
import { progress } from '../util/progress';
import { sniffFormat, type ImageFormat } from './decode';
import type { SourceFile } from './multi-source';

export interface HashedFile {
  file: SourceFile;
  sha256: string;
  format: ImageFormat | null;
  size: number;
}

/** Every content once, with every file that holds it. */
export type ByContent = Map<string, { files: SourceFile[]; size: number }>;

export async function hashFiles(files: readonly SourceFile[]): Promise<HashedFile[]> {
  const bar = progress('ingest: hashing', files.length, 'files');
  const hashed = await mapPool(files, 8, async (f) => {
    const bytes = await readFile(f.absPath);
    bar.tick();
    return { file: f, sha256: sha256Hex(bytes), format: sniffFormat(bytes), size: bytes.length };
  });
  bar.done();
  return hashed;
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
