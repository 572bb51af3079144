import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, REPO, STATE_FILE } from '../../testkit/paths';
import { hasModel, readState, trainTinyModel } from '../../testkit/browser/site';
import { DEFAULT_PARAMS } from '../../training/src/config/params';

/**
 * Which model a browser bench measures: the one named by `envVar`, else the exported
 * public/model, else the e2e run's tiny model, else a tiny model trained now.
 */
export async function benchModelDir(envVar: string): Promise<{ dir: string; source: string }> {
  const named = process.env[envVar];
  if (named) return { dir: named, source: `${envVar}=${named}` };
  const published = join(REPO, DEFAULT_PARAMS.export.out_dir);
  if (hasModel(published)) return { dir: published, source: 'public/model (exported model)' };
  if (existsSync(STATE_FILE)) {
    const a = readState().models.a;
    if (a && hasModel(a)) return { dir: a, source: 'e2e model a (tiny, CLI-trained)' };
  }
  return { dir: await trainTinyModel(join(E2E_CACHE, 'model-bench'), { seed: 3 }), source: 'tiny CLI-trained model, trained now' };
}
