/**
 * Dataset folder → the list of candidate files with their folder-given class and split.
 * Two layouts: `<class>/…` or `<split>/<class>/…` (train|valid|test, as in the Kaggle set).
 * Archives often wrap everything in one folder (`Data/`, `Chest-CT-Scan-data/`); that is skipped.
 */
import { canonicalClassId } from '@respidetect/contract';
import type { Split } from './manifest';
import { isLitter, openFolder, readFolder, walkFiles, type FolderEntry, type SkippedEntry } from './walk';

export { isLitter, type SkippedEntry };

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
  /** Entries the walker would not read (FIFOs, devices, link loops, files past the size limit), with why. */
  skipped: SkippedEntry[];
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

/** The folder below `dir` that holds the data: single wrapper folders (`Data/`) are skipped, up to 4. */
function datasetRootFolder(dir: string): FolderEntry {
  let root = openFolder(dir);
  for (let i = 0; i < 4; i++) {
    const level = readFolder(root);
    if (level.dirs.length !== 1 || level.files.length > 0 || SPLIT_NAMES[level.dirs[0]!.name.toLowerCase()]) break;
    // The data root's paths start below the wrapper: re-open it as the root, keeping the cycle chain.
    root = { ...level.dirs[0]!, rel: '' };
  }
  return root;
}

export function findDatasetRoot(dir: string): string {
  return datasetRootFolder(dir).abs;
}

export function scanDataset(dir: string): ScanResult {
  const rootFolder = datasetRootFolder(dir);
  const root = rootFolder.abs;
  const top = readFolder(rootFolder);
  const hasSplits = top.dirs.some((e) => SPLIT_NAMES[e.name.toLowerCase()]);
  const files: ScannedFile[] = [];
  const ignored: string[] = [];
  const skipped: SkippedEntry[] = [...top.skipped];
  const addClassFolder = (classDir: FolderEntry, sourceSplit: Split | null) => {
    const id = canonicalClassId(classDir.name);
    if (!id) {
      ignored.push(classDir.rel);
      return;
    }
    const walked = walkFiles(classDir);
    skipped.push(...walked.skipped);
    for (const f of walked.files) files.push({ path: f.rel, absPath: f.abs, folder: classDir.name, class: id, sourceSplit });
  };
  ignored.push(...top.files.map((f) => f.rel));
  for (const e of top.dirs) {
    if (!hasSplits) {
      addClassFolder(e, null);
      continue;
    }
    const split = SPLIT_NAMES[e.name.toLowerCase()];
    if (!split) {
      ignored.push(e.rel);
      continue;
    }
    const level = readFolder(e);
    skipped.push(...level.skipped);
    ignored.push(...level.files.map((f) => f.rel));
    for (const c of level.dirs) addClassFolder(c, split);
  }
  ignored.sort();
  if (files.length === 0)
    throw new Error(
      `${root}: no files found in class folders (expected <class>/… or train|valid|test/<class>/…)${skipped.length ? `; skipped: ${skipped.map((s) => s.reason).join('; ')}` : ''}`,
    );
  return { root, layout: hasSplits ? 'split/class' : 'class', files, ignored, skipped };
}
