/**
 * Once per Playwright run: build the app and train the models that specs share, with the real
 * CLI. Specs assemble sites from these and start their own servers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, STATE_FILE } from '../paths';
import { buildApp, tinyModelDataDir, trainTinyModel, type E2eState } from './site';
import { withOodStats } from '../models/ood-model';
import { exportVggModel } from '../models/vgg-model';

export default async function globalSetup(): Promise<void> {
  mkdirSync(E2E_CACHE, { recursive: true });
  const appDir = join(E2E_CACHE, 'app');
  buildApp(appDir);
  const models = {
    a: await trainTinyModel(join(E2E_CACHE, 'model-a'), { seed: 1 }),
    b: await trainTinyModel(join(E2E_CACHE, 'model-b'), { seed: 2 }),
    // Barely trained: its probabilities stay away from 0 and 1, so parity at 1e-4 means something.
    soft: await trainTinyModel(join(E2E_CACHE, 'model-soft'), { seed: 3, epochs: 1, learningRate: 1e-4 }),
  };
  // VGG16 at 64 px with OOD statistics (fitted on model a's generated images), so parity compares
  // the OOD score the browser computes from the embedding output too.
  const vggBase = await exportVggModel(join(E2E_CACHE, 'model-vgg-base'), 64);
  const vgg = (await withOodStats(vggBase, tinyModelDataDir({ seed: 1 }), join(E2E_CACHE, 'model-vgg'))).dir;
  // Model a plus OOD statistics fitted on a's own training images: real chest CT, unlike those, gets a warning.
  const ood = await withOodStats(models.a, tinyModelDataDir({ seed: 1 }), join(E2E_CACHE, 'model-ood'));
  const state: E2eState = { appDir, models: { ...models, vgg, ood: ood.dir } };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}
