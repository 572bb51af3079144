/**
 * A labelled folder: one sub-folder per class, files at any depth below it (a DICOM export is
 * often a tree of series folders). It is listed by the one walker (data/walk.ts): links count as
 * their targets, litter (.DS_Store, ._x) is left out, and what is not a regular file (a FIFO, a
 * device, a dangling link, a link loop) or is past the size limit is returned as `skipped` with its
 * code, so it is reported by name instead of vanishing or stopping the run.
 */
import { openFolder, readFolder, walkFiles, type SkippedEntry } from '../data/walk';

export interface LabelledFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the set's root, with "/" separators: the report's name for it. */
  file: string;
  /** The class folder directly under the root. */
  folder: string;
}

export interface SkippedLabelledEntry extends SkippedEntry {
  /** The class folder it is in. */
  folder: string;
}

export function listLabelledFolder(root: string): { folders: string[]; files: LabelledFile[]; skipped: SkippedLabelledEntry[] } {
  // Entries directly under the root are in no class folder: a README or a FIFO there is ignored alike.
  const top = readFolder(openFolder(root));
  if (top.dirs.length === 0) throw new Error(`${root}: has no class sub-folders`);
  const files: LabelledFile[] = [];
  const skipped: SkippedLabelledEntry[] = [];
  for (const dir of top.dirs) {
    const walked = walkFiles(dir);
    files.push(...walked.files.map((f) => ({ path: f.abs, file: f.rel, folder: dir.name })));
    skipped.push(...walked.skipped.map((s) => ({ ...s, folder: dir.name })));
  }
  return { folders: top.dirs.map((d) => d.name), files, skipped };
}
