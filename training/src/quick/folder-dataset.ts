/**
 * A labelled folder → decoded images with labels, for the quick `train --data`. The folder is read as
 * ingest reads it (data/scan.ts, the one walker): `DIR/<class>/…` or `DIR/{train,valid,test}/<class>/…`
 * (the source's own split is not used: the quick path re-splits by duplicate groups), a single wrapper
 * folder skipped. Entries that are not regular files are skipped and listed (`skipped`); files that
 * cannot be read or decoded are rejected and listed with their refusal code, so one bad file never
 * stops the run.
 */
import { asFileRefusal, type DecodedPixels, type RefusalCode } from '@respidetect/contract';
import { decodeImage } from '../data/decode';
import { readInputFile } from '../data/read-input';
import { scanDataset, type ScanResult, type SkippedEntry } from '../data/scan';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';

export interface LabelledImage {
  path: string;
  sha256: string;
  label: number;
  pixels: DecodedPixels;
}

export interface FolderDataset {
  root: string;
  layout: ScanResult['layout'];
  classNames: string[];
  images: LabelledImage[];
  rejected: { path: string; code: RefusalCode; reason: string }[];
  skipped: SkippedEntry[];
}

export async function readClassFolders(dir: string): Promise<FolderDataset> {
  const scan = scanDataset(dir);
  const classNames = [...new Set(scan.files.map((f) => f.class))].sort();
  if (classNames.length < 2)
    throw new Error(`${scan.root}: needs at least two class folders (DIR/<class>/… or DIR/train|valid|test/<class>/…), found ${classNames.join(', ') || 'none'}`);
  const bar = progress('decode', scan.files.length, 'images');
  const images: LabelledImage[] = [];
  const rejected: FolderDataset['rejected'] = [];
  for (const f of scan.files) {
    try {
      const bytes = await readInputFile(f.absPath, f.path);
      images.push({ path: f.absPath, sha256: sha256Hex(bytes), label: classNames.indexOf(f.class), pixels: await decodeImage(bytes, f.path) });
    } catch (err) {
      const r = asFileRefusal(f.path, err);
      rejected.push({ path: f.absPath, code: r.code, reason: r.message.replace(`${f.path}: `, '').split('\n')[0]! });
    }
    bar.tick();
  }
  bar.done();
  return { root: scan.root, layout: scan.layout, classNames, images, rejected, skipped: scan.skipped };
}
