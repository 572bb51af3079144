/**
 * Dataset folder → the list of candidate files with their folder-given class and split.
 * Two layouts: `<class>/…` or `<split>/<class>/…` (train|valid|test, as in the Kaggle set).
 * Archives often wrap everything in one folder (`Data/`, `Chest-CT-Scan-data/`); that is skipped.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalClassId } from '@respidetect/contract';
import type { Split } from './manifest';

export interface ScannedFile {
  /** Relative to the dataset root, '/'-separated. */
  path: string;
  absPath: string;
  folder: string;
  class: string;
  /** The source's own split, when the layout has one. */
  sourceSplit: Split | null;
}

export interface ScanResult {
  root: string;
  layout: 'class' | 'split/class';
  files: ScannedFile[];
  /** Entries outside any class folder (READMEs, checksums, stray folders): listed, not used. */
  ignored: string[];
}

const SPLIT_NAMES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

/** OS litter that is never data: hidden files, macOS resource forks, Windows thumbnails. */
export const isLitter = (name: string) => name.startsWith('.') || name === '__MACOSX' || name.toLowerCase() === 'thumbs.db' || name.toLowerCase() === 'desktop.ini';

function entries(dir: string) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !isLitter(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Every regular file below `dir`, relative paths, bounded depth (a dataset is not a filesystem). */
function walk(dir: string, rel: string, out: string[], depth = 0): void {
  if (depth > 8) throw new Error(`${dir}: folders nested more than 8 deep below a class folder`);
  for (const e of entries(dir)) {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) walk(join(dir, e.name), r, out, depth + 1);
    else if (e.isFile()) out.push(r);
  }
}

export function findDatasetRoot(dir: string): string {
  let root = dir;
  for (let i = 0; i < 4; i++) {
    const es = entries(root);
    const dirs = es.filter((e) => e.isDirectory());
    if (dirs.length !== 1 || es.some((e) => e.isFile()) || SPLIT_NAMES[dirs[0]!.name.toLowerCase()]) break;
    root = join(root, dirs[0]!.name);
  }
  return root;
}

export function scanDataset(dir: string): ScanResult {
  const root = findDatasetRoot(dir);
  const top = entries(root);
  const hasSplits = top.some((e) => e.isDirectory() && SPLIT_NAMES[e.name.toLowerCase()]);
  const files: ScannedFile[] = [];
  const ignored: string[] = [];
  const addClassFolder = (classDir: string, relDir: string, folder: string, sourceSplit: Split | null) => {
    const id = canonicalClassId(folder);
    if (!id) {
      ignored.push(relDir);
      return;
    }
    const rels: string[] = [];
    walk(classDir, relDir, rels);
    for (const path of rels) files.push({ path, absPath: join(root, path), folder, class: id, sourceSplit });
  };
  for (const e of top) {
    if (!e.isDirectory()) {
      ignored.push(e.name);
      continue;
    }
    if (!hasSplits) {
      addClassFolder(join(root, e.name), e.name, e.name, null);
      continue;
    }
    const split = SPLIT_NAMES[e.name.toLowerCase()];
    if (!split) {
      ignored.push(e.name);
      continue;
    }
    for (const c of entries(join(root, e.name))) {
      if (c.isDirectory()) addClassFolder(join(root, e.name, c.name), `${e.name}/${c.name}`, c.name, split);
      else ignored.push(`${e.name}/${c.name}`);
    }
  }
  if (files.length === 0) throw new Error(`${root}: no files found in class folders (expected <class>/… or train|valid|test/<class>/…)`);
  return { root, layout: hasSplits ? 'split/class' : 'class', files, ignored };
}
