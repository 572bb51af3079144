/**
 * A picked folder (an <input webkitdirectory> gives every file with its path under the picked
 * folder) → labelled files: the first folder below the picked one is the class folder, as in the
 * CLI's `validate --data DIR`. Hidden files (.DS_Store) are skipped as the CLI skips them; files
 * directly in the picked folder have no class folder and are listed as such.
 */
export interface LabelledFile {
  file: File;
  /** Path below the picked folder, "/"-separated: the report's name for it (as the CLI names it). */
  path: string;
  folder: string;
}

export function collectLabelledFiles(files: readonly File[]): { folders: string[]; files: LabelledFile[]; loose: string[] } {
  const out: LabelledFile[] = [];
  const loose: string[] = [];
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    // parts[0] is the picked folder itself.
    const below = parts.length > 1 ? parts.slice(1) : parts;
    if (below.some((p) => p.startsWith('.'))) continue;
    if (below.length < 2) loose.push(below.join('/'));
    else out.push({ file, path: below.join('/'), folder: below[0]! });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { folders: [...new Set(out.map((f) => f.folder))].sort(), files: out, loose };
}
