/**
 * Where tests and benches find the shared data sets, and the rule for a missing copy: under
 * CI=true it is a failure, elsewhere a visible skip. The data is read-only and never copied in.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The chest CT set: $CHEST_CT_DIR, else ../shared/datasets/chest-ct beside the repo. */
export const CHEST_CT_DIR = resolve(process.env.CHEST_CT_DIR ?? join(REPO, '..', 'shared', 'datasets', 'chest-ct'));
/** The second CT source (another hospital): $IQ_OTHNCCD_DIR, else ../shared/datasets/iq-othnccd beside the repo. */
export const IQ_OTHNCCD_DIR = resolve(process.env.IQ_OTHNCCD_DIR ?? join(REPO, '..', 'shared', 'datasets', 'iq-othnccd'));
/** Photos and broken files for refusal tests, beside the CT set. */
export const NON_CT_DIR = resolve(CHEST_CT_DIR, '..', 'non-ct');

/** True when the CT set is there; throws under CI=true when it is not. */
export function chestCtPresent(): boolean {
  const present = existsSync(join(CHEST_CT_DIR, 'train')) && existsSync(join(CHEST_CT_DIR, 'test'));
  if (!present && process.env.CI === 'true') throw new Error(`the chest CT set is missing at ${CHEST_CT_DIR} (set CHEST_CT_DIR); CI requires it`);
  return present;
}

/** True when the second CT set is there; throws under CI=true when it is not. */
export function iqOthnccdPresent(): boolean {
  const present = existsSync(join(IQ_OTHNCCD_DIR, 'malignant')) && existsSync(join(IQ_OTHNCCD_DIR, 'normal'));
  if (!present && process.env.CI === 'true') throw new Error(`the IQ-OTH/NCCD CT set is missing at ${IQ_OTHNCCD_DIR} (set IQ_OTHNCCD_DIR); CI requires it`);
  return present;
}

export const skipMessage = (): string => `SKIPPED: no chest CT set at ${CHEST_CT_DIR}; set CHEST_CT_DIR`;
