/**
 * Where the shared data sets are: the one place for these paths, read by the measuring CLIs here and,
 * through testkit/datasets.ts (which adds the CI rule for a missing copy), by tests and benches.
 * The data is read-only and never copied into the repo.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from './env';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The chest CT set: $CHEST_CT_DIR, else ../shared/datasets/chest-ct beside the repo. */
export const CHEST_CT_DIR = resolve(env.chestCtDir() ?? join(REPO, '..', 'shared', 'datasets', 'chest-ct'));
/** The second CT source (another hospital): $IQ_OTHNCCD_DIR, else ../shared/datasets/iq-othnccd beside the repo. */
export const IQ_OTHNCCD_DIR = resolve(env.iqOthnccdDir() ?? join(REPO, '..', 'shared', 'datasets', 'iq-othnccd'));
/** Photos and broken files for refusal tests, beside the CT set. */
export const NON_CT_DIR = resolve(CHEST_CT_DIR, '..', 'non-ct');
