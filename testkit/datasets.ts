/**
 * Where tests and benches find the shared data sets, and the rule for a missing copy: under
 * CI=true it is a failure, elsewhere a visible skip. The data is read-only and never copied in.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHEST_CT_DIR, IQ_OTHNCCD_DIR, NON_CT_DIR } from '../training/src/config/datasets';

export { CHEST_CT_DIR, IQ_OTHNCCD_DIR, NON_CT_DIR };

/** True when the CT set is there; throws under CI=true when it is not. */
export function chestCtPresent(): boolean {
  const present = existsSync(join(CHEST_CT_DIR, 'train')) && existsSync(join(CHEST_CT_DIR, 'test'));
  if (!present && process.env.CI === 'true') throw new Error(`the chest CT set is missing at ${CHEST_CT_DIR} (set CHEST_CT_DIR); CI requires it`);
  return present;
}

export const skipMessage = (): string => `SKIPPED: no chest CT set at ${CHEST_CT_DIR}; set CHEST_CT_DIR`;

/**
 * The non-CT set's presence rule: every file its MANIFEST.sha256 lists must be there with that hash,
 * so a missing truncated.jpg can never pass as "failed alone". Missing set: a failure under CI=true,
 * elsewhere a visible skip (false). A set that is there but incomplete or altered always fails.
 */
export function nonCtPresent(): boolean {
  const manifest = join(NON_CT_DIR, 'MANIFEST.sha256');
  if (!existsSync(manifest)) {
    if (process.env.CI === 'true') throw new Error(`the non-CT set is missing at ${NON_CT_DIR} (its MANIFEST.sha256 is not there); CI requires it`);
    console.warn(`SKIPPED: no non-CT set at ${NON_CT_DIR}`);
    return false;
  }
  const problems: string[] = [];
  for (const line of readFileSync(manifest, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (!m || m[2] === './MANIFEST.sha256') continue;
    const file = join(NON_CT_DIR, m[2]!);
    if (!existsSync(file)) problems.push(`${m[2]}: missing`);
    else if (createHash('sha256').update(readFileSync(file)).digest('hex') !== m[1]) problems.push(`${m[2]}: sha256 differs from MANIFEST.sha256`);
  }
  if (problems.length > 0) throw new Error(`the non-CT set at ${NON_CT_DIR} is incomplete: ${problems.join('; ')}`);
  return true;
}

/** A file of the non-CT set by its path in the set ('edge-cases/truncated.jpg'); throws, naming it, when absent. */
export function nonCtFile(rel: string): string {
  const file = join(NON_CT_DIR, rel);
  if (!existsSync(file)) throw new Error(`${file}: not found; the tests need this file of the non-CT set`);
  return file;
}

/** True when the IQ-OTH/NCCD set is there; throws under CI=true when it is not (the same rule as the chest CT set). */
export function iqOthnccdPresent(): boolean {
  const present = ['benign', 'malignant', 'normal'].every((d) => existsSync(join(IQ_OTHNCCD_DIR, d)));
  if (!present && process.env.CI === 'true') throw new Error(`the IQ-OTH/NCCD set is missing at ${IQ_OTHNCCD_DIR} (set IQ_OTHNCCD_DIR); CI requires it`);
  return present;
}

export const iqOthnccdSkipMessage = (): string => `SKIPPED: no IQ-OTH/NCCD set at ${IQ_OTHNCCD_DIR}; set IQ_OTHNCCD_DIR`;
