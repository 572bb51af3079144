/**
 * A labelled folder: one sub-folder per class, files at any depth below it (a DICOM export is
 * often a tree of series folders). Hidden files (.DS_Store, ._x) are not images and are skipped;
 * everything else is listed, so a file that is not an image fails by name instead of vanishing.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface LabelledFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the set's root, with "/" separators: the report's name for it. */
  file: string;
  /** The class folder directly under the root. */
  folder: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const path = join(dir, e.name);
      // A symbolic link counts as what it points to (a folder of links to a shared copy is common).
      const st = e.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : e;
      // A dangling link is listed, so it fails by name when read instead of vanishing.
      if (!st) return [path];
      return st.isDirectory() ? walk(path) : st.isFile() ? [path] : [];
    });
}

export function listLabelledFolder(root: string): { folders: string[]; files: LabelledFile[] } {
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new Error(`${root}: no such folder`);
  }
  if (!st.isDirectory()) throw new Error(`${root}: not a folder (expected one sub-folder per class)`);
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (folders.length === 0) throw new Error(`${root}: has no class sub-folders`);
  const files = folders.flatMap((folder) =>
    walk(join(root, folder)).map((path) => ({ path, folder, file: relative(root, path).split(/[\\/]/).join('/') })),
  );
  return { folders, files };
}
