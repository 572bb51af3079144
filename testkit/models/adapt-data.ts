/**
 * Real data for the adaptation test and bench: a chest-CT model trained by the real CLI on a
 * subset of ../shared/datasets/chest-ct, and a labelled folder from ../shared/datasets/iq-othnccd
 * (malignant → adenocarcinoma, normal → normal; benign is neither, SOURCE.md). Both are copied into
 * .cache (outside git), never into the repository.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHEST_CT_DIR, IQ_OTHNCCD_DIR } from '../datasets';
import { REPO } from '../paths';

export const IQ_LABEL_MAP = 'malignant=adenocarcinoma, normal=normal';

/** "Malignant case (12).jpg" → 12: the set's numbering follows neighbouring slices. */
const caseNumber = (f: string) => Number(/\((\d+)\)/.exec(f)?.[1] ?? 0);

/** Spread over the whole class: every k-th file in case order, so many cases appear, not a few neighbours. */
function spread(files: string[], n: number): string[] {
  const sorted = [...files].sort((a, b) => caseNumber(a) - caseNumber(b) || (a < b ? -1 : 1));
  if (n >= sorted.length) return sorted;
  return Array.from({ length: n }, (_, i) => sorted[Math.floor((i * sorted.length) / n)]!);
}

/** A labelled folder malignant/ + normal/ with `perClass` IQ-OTH/NCCD images each. */
export function writeIqFolder(dir: string, perClass: number): string {
  rmSync(dir, { recursive: true, force: true });
  for (const cls of ['malignant', 'normal']) {
    mkdirSync(join(dir, cls), { recursive: true });
    const files = readdirSync(join(IQ_OTHNCCD_DIR, cls)).filter((f) => f.endsWith('.jpg'));
    for (const f of spread(files, perClass)) copyFileSync(join(IQ_OTHNCCD_DIR, cls, f), join(dir, cls, f));
  }
  return dir;
}

/** The 2-class chest-CT subset (train/ adenocarcinoma and normal, `perClass` each) and a model trained on it by `train --data`. */
export function trainChestCtModel(workDir: string, opts: { imageSize: number; perClass: number; epochs?: number }): string {
  const data = join(workDir, `chest-ct-${opts.perClass}`);
  const out = join(workDir, `model-chest-ct-${opts.imageSize}-${opts.perClass}`);
  rmSync(data, { recursive: true, force: true });
  for (const cls of ['adenocarcinoma', 'normal']) {
    mkdirSync(join(data, cls), { recursive: true });
    const files = readdirSync(join(CHEST_CT_DIR, 'train', cls)).sort();
    for (const f of spread(files, opts.perClass)) copyFileSync(join(CHEST_CT_DIR, 'train', cls, f), join(data, cls, f));
  }
  execFileSync(
    process.execPath,
    ['--import', 'tsx', 'training/src/cli.ts', 'train', '--data', data, '--out', out, '--image-size', String(opts.imageSize), '--epochs', String(opts.epochs ?? 4), '--seed', '1'],
    { cwd: REPO, stdio: 'inherit', env: { ...process.env, RESPIDETECT_QUIET: '1' } },
  );
  return out;
}
