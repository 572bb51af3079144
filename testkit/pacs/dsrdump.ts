/** dcmtk's dsrdump (Debian's `dcmtk`), the independent reader every SR the app writes must pass. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../require-tool';

export const dsrdumpAvailable = (): boolean => spawnSync('dsrdump', ['--version'], { encoding: 'utf8' }).status === 0;
export const requireDsrdump = (what: string): boolean => requireTool(what, 'dsrdump', dsrdumpAvailable(), 'apt-get install -y dcmtk');

export interface DsrdumpResult {
  status: number | null;
  stdout: string;
  /** dcmtk's own messages; an "E:" line is an error in the file. */
  stderr: string;
}

/** dsrdump on the bytes, every value printed in full (+Pl) with its codes (+Pc). */
export function dsrdump(bytes: Uint8Array): DsrdumpResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-dsrdump-'));
  try {
    const file = path.join(dir, 'report.dcm');
    fs.writeFileSync(file, bytes);
    const r = spawnSync('dsrdump', ['+Pl', '+Pc', file], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** dcmtk's error lines ("E: ..."), which a well-formed report has none of. */
export const dcmtkErrors = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('E:') || l.startsWith('F:'));
