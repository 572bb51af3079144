/**
 * Measures the "not a chest CT" rule (contract: checkChestCt) on image sets: how many it accepts
 * and refuses, with Wilson 95% intervals, which check refused them, and which files could not be
 * decoded (each named, counted apart). One bad file fails alone.
 */
import { basename } from 'node:path';
import { checkChestCt, NOT_CT_RULES, proportion, type Proportion } from '@respidetect/contract';
import { decodeImage } from '../data/decode';
import { readInputFile } from '../data/read-input';
import { progress } from '../util/progress';
import type { ImageSet } from './sets';

export interface SetMeasurement {
  name: string;
  role: ImageSet['role'];
  truth: ImageSet['truth'];
  n: number;
  accepted: Proportion;
  refused: Proportion;
  /** Refusals per check (the reason's first words, e.g. "colour image"). */
  refusedBy: Record<string, number>;
  /** For CT sets, the refused files; for non-CT sets, the accepted ones: the rule's mistakes, by name. */
  mistakes: { file: string; reason: string | null }[];
  /** Files that could not be decoded: not counted in n. */
  failed: { file: string; error: string }[];
}

export async function measureSet(set: ImageSet): Promise<SetMeasurement> {
  const bar = progress(`not-CT rule on ${set.name}`, set.files.length, 'images');
  let accepted = 0;
  const refusedBy: Record<string, number> = {};
  const mistakes: SetMeasurement['mistakes'] = [];
  const failed: SetMeasurement['failed'] = [];
  for (const file of set.files) {
    try {
      const check = checkChestCt(await decodeImage(await readInputFile(file, basename(file)), basename(file)));
      if (check.ok) {
        accepted++;
        if (set.truth === 'not-ct') mistakes.push({ file: basename(file), reason: null });
      } else {
        const kind = check.reason.split(':')[0]!;
        refusedBy[kind] = (refusedBy[kind] ?? 0) + 1;
        if (set.truth === 'ct') mistakes.push({ file: basename(file), reason: check.reason });
      }
    } catch (e) {
      failed.push({ file: basename(file), error: e instanceof Error ? e.message : String(e) });
    }
    bar.tick();
  }
  bar.done();
  const n = set.files.length - failed.length;
  return {
    name: set.name,
    role: set.role,
    truth: set.truth,
    n,
    accepted: proportion(accepted, n),
    refused: proportion(n - accepted, n),
    refusedBy,
    mistakes,
    failed,
  };
}

export interface NotCtReport {
  rule: typeof NOT_CT_RULES;
  note: string;
  sets: SetMeasurement[];
}

export async function measureNotCt(sets: readonly ImageSet[]): Promise<NotCtReport> {
  const out: SetMeasurement[] = [];
  for (const s of sets) out.push(await measureSet(s));
  return {
    rule: NOT_CT_RULES,
    note: 'thresholds were chosen on the sets with role "tune"; the "test" sets were not used to choose them',
    sets: out,
  };
}
