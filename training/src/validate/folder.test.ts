import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listLabelledFolder } from './folder';

const root = mkdtempSync(join(tmpdir(), 'labelled-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('listLabelledFolder (real files)', () => {
  it('lists class folders, files at any depth, links as their targets, a dangling link as skipped (to fail by name), and skips hidden files', () => {
    const shared = join(root, 'elsewhere');
    mkdirSync(join(shared, 'series'), { recursive: true });
    writeFileSync(join(shared, 'a.png'), 'x');
    writeFileSync(join(shared, 'series', 's1.dcm'), 'x');
    const set = join(root, 'set');
    mkdirSync(join(set, 'normal', 'deep'), { recursive: true });
    mkdirSync(join(set, 'malignant'), { recursive: true });
    mkdirSync(join(set, '.git'), { recursive: true });
    writeFileSync(join(set, 'normal', 'deep', 'b.png'), 'x');
    writeFileSync(join(set, 'normal', '.DS_Store'), 'x');
    writeFileSync(join(set, 'readme.txt'), 'x');
    symlinkSync(join(shared, 'a.png'), join(set, 'malignant', 'a.png'));
    symlinkSync(join(shared, 'series'), join(set, 'malignant', 'series'));
    symlinkSync(join(shared, 'gone.png'), join(set, 'malignant', 'dangling.png'));
    const { folders, files, skipped } = listLabelledFolder(set);
    expect(folders).toEqual(['malignant', 'normal']);
    expect(files.map((f) => [f.file, f.folder])).toEqual([
      ['malignant/a.png', 'malignant'],
      ['malignant/series/s1.dcm', 'malignant'],
      ['normal/deep/b.png', 'normal'],
    ]);
    expect(skipped).toEqual([
      { path: 'malignant/dangling.png', folder: 'malignant', code: 'not-regular-file', reason: 'malignant/dangling.png: a symbolic link to nothing, not a regular file' },
    ]);
  });
  it('names the folder when it is missing or has no class folders', () => {
    expect(() => listLabelledFolder(join(root, 'nope'))).toThrow(/nope: no such folder/);
    mkdirSync(join(root, 'flat'));
    writeFileSync(join(root, 'flat', 'x.png'), 'x');
    expect(() => listLabelledFolder(join(root, 'flat'))).toThrow(/flat: has no class sub-folders/);
  });
});
