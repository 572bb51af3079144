import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Everything e2e builds (app bundle, trained models, assembled sites) lives here, outside git. */
export const E2E_CACHE = join(REPO, '.cache', 'e2e');
export const STATE_FILE = join(E2E_CACHE, 'state.json');

export { CHEST_CT_DIR, NON_CT_DIR } from './datasets';
