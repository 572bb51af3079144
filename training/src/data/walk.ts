/**
 * The one folder walker: every command that reads a folder of images (ingest's scan, the quick
 * `train --data`, `validate`, several sources, the content check) lists it through here, so the
 * rules for what is a file are written once:
 * - a symbolic link counts as what it points to (a folder of links to a shared copy is common);
 * - only regular files and folders are walked; a FIFO (reading it would wait forever), a device
 *   (/dev/zero never ends), a socket, a dangling link, a link loop (ELOOP) and a folder link back to a
 *   folder above it (a cycle, found by realpath) are skipped and returned as `skipped`, typed
 *   'not-regular-file', for the caller's report;
 * - a file larger than MAX_INPUT_FILE_BYTES is skipped ('file-too-large') before anyone reads it;
 * - folders deeper than MAX_FOLDER_DEPTH below the walk's start are skipped ('nesting-limit');
 * - OS litter (hidden files, __MACOSX, Thumbs.db) is not data and is left out silently.
 * Entries are sorted by name (byte order), so every listing is the same on every machine.
 */
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { RefusalCode } from '@respidetect/contract';
import { MAX_FOLDER_DEPTH, MAX_INPUT_FILE_BYTES, mib } from '../config/limits';

/** A folder being walked: where it is, its name in reports, and the real paths from the walk's root down to it. */
export interface FolderEntry {
  name: string;
  abs: string;
  /** '/'-separated, relative to the walk's root ('' for the root). */
  rel: string;
  /** realpath of every folder from the root down to this one (itself last): a link to one of them is a cycle. */
  chain: readonly string[];
}

export interface WalkedFile {
  name: string;
  abs: string;
  rel: string;
  /** From stat, before reading; the reader checks it again on the open file. */
  size: number;
}

/** An entry that is not walked, and why: listed in every report, never silently dropped. */
export interface SkippedEntry {
  /** '/'-separated, relative to the walk's root. */
  path: string;
  code: RefusalCode;
  reason: string;
}

export interface Folder {
  dirs: FolderEntry[];
  files: WalkedFile[];
  skipped: SkippedEntry[];
}

/** OS litter that is never data: hidden files, macOS resource forks, Windows thumbnails. */
export const isLitter = (name: string): boolean =>
  name.startsWith('.') || name === '__MACOSX' || name.toLowerCase() === 'thumbs.db' || name.toLowerCase() === 'desktop.ini';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const joinRel = (rel: string, name: string): string => (rel ? `${rel}/${name}` : name);

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The folder a walk starts from (links followed); throws, naming it, when it is not a folder. */
export function openFolder(abs: string): FolderEntry {
  let st: Stats;
  try {
    st = statSync(abs);
  } catch {
    throw new Error(`${abs}: no such folder`);
  }
  if (!st.isDirectory()) throw new Error(`${abs}: not a folder`);
  return { name: abs.split(/[\\/]/).pop() ?? abs, abs, rel: '', chain: [realpathSync(abs)] };
}

/** One level of a folder: its sub-folders, its regular files, and what was skipped. */
export function readFolder(folder: FolderEntry): Folder {
  const out: Folder = { dirs: [], files: [], skipped: [] };
  const names = readdirSync(folder.abs)
    .filter((n) => !isLitter(n))
    .sort(byName);
  for (const name of names) {
    const abs = join(folder.abs, name);
    const rel = joinRel(folder.rel, name);
    const skip = (code: RefusalCode, reason: string) => out.skipped.push({ path: rel, code, reason });
    let st: Stats;
    try {
      // stat, not lstat: a link counts as its target; what the target is decides below.
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') skip('not-regular-file', `${rel}: a symbolic link loop, not a regular file`);
      else if (code === 'ENOENT' || code === 'ENOTDIR') skip('not-regular-file', `${rel}: a symbolic link to nothing, not a regular file`);
      else skip('not-regular-file', `${rel}: cannot be examined (${code ?? 'error'})`);
      continue;
    }
    if (st.isDirectory()) {
      const real = realpathSync(abs);
      if (folder.chain.includes(real)) skip('not-regular-file', `${rel}: a link back to a folder that holds it (a loop), not walked`);
      else out.dirs.push({ name, abs, rel, chain: [...folder.chain, real] });
    } else if (st.isFile()) {
      if (st.size > MAX_INPUT_FILE_BYTES) skip('file-too-large', `${rel}: ${mib(st.size)}, larger than the ${mib(MAX_INPUT_FILE_BYTES)} limit for one file`);
      else out.files.push({ name, abs, rel, size: st.size });
    } else {
      skip('not-regular-file', `${rel}: ${kindOf(st)}, not a regular file`);
    }
  }
  return out;
}

/** Every regular file at any depth below `folder` (up to MAX_FOLDER_DEPTH), and everything skipped. */
export function walkFiles(folder: FolderEntry): { files: WalkedFile[]; skipped: SkippedEntry[] } {
  const files: WalkedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const visit = (dir: FolderEntry, depth: number): void => {
    const level = readFolder(dir);
    files.push(...level.files);
    skipped.push(...level.skipped);
    for (const sub of level.dirs) {
      if (depth >= MAX_FOLDER_DEPTH) skipped.push({ path: sub.rel, code: 'nesting-limit', reason: `${sub.rel}: folders nested more than ${MAX_FOLDER_DEPTH} deep, not walked` });
      else visit(sub, depth + 1);
    }
  };
  visit(folder, 0);
  return { files, skipped };
}
