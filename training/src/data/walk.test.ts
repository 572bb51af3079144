/**
 * The one folder walker on real special files: a FIFO, a link to /dev/zero, a link loop, a folder
 * link back up (a cycle), a dangling link, a sparse file past the size limit and a tree deeper than
 * the depth limit are each skipped with their code, and every regular file is listed, in name order.
 * Then the bounded reader refuses a FIFO and /dev/zero when handed them directly (a path that
 * changed after the listing), at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRefusal } from '@respidetect/contract';
import { MAX_FOLDER_DEPTH, MAX_INPUT_FILE_BYTES } from '../config/limits';
import { readInputFile } from './read-input';
import { openFolder, walkFiles } from './walk';

const root = mkdtempSync(join(tmpdir(), 'walk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  const d = join(root, 'normal');
  mkdirSync(join(d, 'series'), { recursive: true });
  writeFileSync(join(d, 'a.png'), 'a');
  writeFileSync(join(d, 'series', 'b.png'), 'b');
  writeFileSync(join(d, '.DS_Store'), 'litter');
  execFileSync('mkfifo', [join(d, 'fifo.png')]);
  symlinkSync('/dev/zero', join(d, 'zero.png'));
  symlinkSync(join(d, 'self.png'), join(d, 'self.png'));
  symlinkSync(d, join(d, 'series', 'up'));
  symlinkSync(join(root, 'gone.png'), join(d, 'dangling.png'));
  // Sparse: past the limit on disk in name only, so the test writes nothing.
  writeFileSync(join(d, 'huge.png'), '');
  truncateSync(join(d, 'huge.png'), MAX_INPUT_FILE_BYTES + 1);
  const deep = join(d, ...Array.from({ length: MAX_FOLDER_DEPTH + 1 }, (_, i) => `d${i}`));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'too-deep.png'), 'x');
});

describe('walkFiles (real special files)', () => {
  it('lists regular files and skips, with a code each, everything that is not one or is past a limit', () => {
    const { files, skipped } = walkFiles(openFolder(join(root, 'normal')));
    expect(files.map((f) => [f.rel, f.size])).toEqual([
      ['a.png', 1],
      ['series/b.png', 1],
    ]);
    const deepest = Array.from({ length: MAX_FOLDER_DEPTH + 1 }, (_, i) => `d${i}`).join('/');
    expect(Object.fromEntries(skipped.map((s) => [s.path, s.code]))).toEqual({
      'dangling.png': 'not-regular-file',
      'fifo.png': 'not-regular-file',
      'huge.png': 'file-too-large',
      'self.png': 'not-regular-file',
      'series/up': 'not-regular-file',
      'zero.png': 'not-regular-file',
      [deepest]: 'nesting-limit',
    });
    const reason = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    expect(reason['fifo.png']).toBe('fifo.png: a FIFO (named pipe), not a regular file');
    expect(reason['zero.png']).toBe('zero.png: a character device, not a regular file');
    expect(reason['self.png']).toBe('self.png: a symbolic link loop, not a regular file');
    expect(reason['series/up']).toBe('series/up: a link back to a folder that holds it (a loop), not walked');
    expect(reason['huge.png']).toBe('huge.png: 512 MiB, larger than the 512 MiB limit for one file');
  });

  it('the bounded reader refuses a FIFO and /dev/zero at once, typed', async () => {
    const t0 = Date.now();
    for (const [path, name] of [
      [join(root, 'normal', 'fifo.png'), 'fifo.png'],
      ['/dev/zero', 'zero.png'],
    ] as const) {
      const err = await readInputFile(path, name).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileRefusal);
      expect(err).toMatchObject({ code: 'not-regular-file', message: `${name}: not a regular file (a FIFO, device or socket); skipped` });
    }
    const big = await readInputFile(join(root, 'normal', 'huge.png'), 'huge.png').catch((e: unknown) => e);
    expect(big).toMatchObject({ code: 'file-too-large' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await readInputFile(join(root, 'normal', 'a.png'), 'a.png')).toString()).toBe('a');
  });
});
