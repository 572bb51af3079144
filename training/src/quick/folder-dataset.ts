/**
 * A folder of class subfolders → decoded images with labels. Unreadable files are skipped and
 * reported by name, so one bad file never stops the run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalClassId, type DecodedPixels } from '@respidetect/contract';
import { decodeImage } from '../data/decode';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';

export interface LabelledImage {
  path: string;
  sha256: string;
  label: number;
  pixels: DecodedPixels;
}

export interface FolderDataset {
  classNames: string[];
  images: LabelledImage[];
  rejected: { path: string; reason: string }[];
}

export async function readClassFolders(root: string): Promise<FolderDataset> {
  const folders = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort();
  const classNames = [...new Set(folders.map(canonicalClassId))].sort();
  if (classNames.length < 2) throw new Error(`${root}: needs at least two class subfolders, found ${folders.length ? folders.join(', ') : 'none'}`);
  const files = folders.flatMap((d) =>
    readdirSync(join(root, d))
      .sort()
      .map((f) => ({ path: join(root, d, f), label: classNames.indexOf(canonicalClassId(d)) })),
  );
  const bar = progress('decode', files.length, 'images');
  const images: LabelledImage[] = [];
  const rejected: FolderDataset['rejected'] = [];
  for (const f of files) {
    try {
      const bytes = readFileSync(f.path);
      if (bytes.length === 0) throw new Error('empty file');
      images.push({ path: f.path, sha256: sha256Hex(bytes), label: f.label, pixels: await decodeImage(bytes) });
    } catch (err) {
      rejected.push({ path: f.path, reason: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
    }
    bar.tick();
  }
  bar.done();
  return { classNames, images, rejected };
}
