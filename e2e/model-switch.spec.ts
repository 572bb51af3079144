/**
 * "Model in use" end to end, on real data: a chest-ct model trained by the real CLI is deployed, an
 * adapted model is made from it in Chromium (real worker, real tfjs) on a labelled IQ-OTH/NCCD
 * folder, and the user switches between them. Checks: the choice survives a reload and works
 * offline (the adapted model from Cache Storage, verified); it exports from the list as a model
 * folder Node verifies; each result row names the model that
 * computed it; switching back to the deployed model gives its earlier probabilities again; a
 * switch mid-batch is refused with the reason; a stored model that fails verification falls back
 * to the deployed one with a message naming the file; an adapted model can be removed.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Download, type Page } from '@playwright/test';
import type { ModelMetadata } from '@respidetect/contract';
import { chestCtPresent, iqOthnccdPresent, iqOthnccdSkipMessage, skipMessage } from '../testkit/datasets';
import { IQ_LABEL_MAP, trainChestCtModel, writeIqFolder } from '../testkit/models/adapt-data';
import { E2E_CACHE } from '../testkit/paths';
import { readVerifiedModelDir } from '../training/src/inference/model-dir';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

const WORK = join(E2E_CACHE, 'model-switch');
const SET = join(WORK, 'iq-set');
const EXPORTED = join(WORK, 'exported');
const PER_CLASS = 90;

test.skip(!(chestCtPresent() && iqOthnccdPresent()), `${skipMessage()} / ${iqOthnccdSkipMessage()}`);

let server: RunningServer;
let parent: ModelMetadata;
/** One image to classify with each model, and many to make a batch that is still running. */
let image: string;
let batch: string[];

test.beforeAll(async () => {
  mkdirSync(WORK, { recursive: true });
  const parentDir = trainChestCtModel(WORK, { imageSize: 32, perClass: 40 });
  parent = JSON.parse(readFileSync(join(parentDir, 'metadata.json'), 'utf8')) as ModelMetadata;
  writeIqFolder(SET, PER_CLASS);
  const normal = readdirSync(join(SET, 'normal')).sort().map((f) => join(SET, 'normal', f));
  image = normal[0]!;
  batch = normal;
  server = await startServer(assembleSite(readState().appDir, parentDir));
});
test.afterAll(async () => server?.stop());

/** The model `id` is in use and started (backend chosen). */
async function inUse(page: Page, id: string): Promise<void> {
  await expect(page.getByTestId('model-id')).toHaveText(id, { timeout: 60_000 });
  await expect(page.getByTestId('model-switcher')).toHaveAttribute('data-model-in-use', id);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
}

const option = (page: Page, id: string) => page.getByTestId('model-option').and(page.locator(`[data-model-id="${id}"]`));

/** Classifies `image` on the Classify page; the row's model id and probabilities. */
async function classify(page: Page): Promise<{ modelId: string | null; shown: string; probs: number[] }> {
  await page.getByRole('link', { name: 'Classify', exact: true }).click();
  await page.getByTestId('file-input').setInputFiles(image);
  const row = page.getByTestId('result').last();
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const probs = await row.getByTestId('prob').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  return { modelId: await row.getAttribute('data-model-id'), shown: await row.getByTestId('result-model').innerText(), probs };
}

test('switches between the deployed and an adapted model: remembered across reloads and offline, rows name their model', async ({ page, context }) => {
  test.setTimeout(420_000);
  await page.goto(`${server.url}/?testHooks=1#/`);
  await inUse(page, parent.modelId);
  await expect(option(page, parent.modelId)).toHaveAttribute('data-kind', 'deployed');
  const deployedRun = await classify(page);
  expect(deployedRun.modelId).toBe(parent.modelId);
  expect(deployedRun.shown).toContain(parent.modelId);

  // Adapt (the Adapt page's real flow); the kept model joins "Model in use" with its parent, date and test AUC.
  await page.goto(`${server.url}/?testHooks=1#/adapt`);
  await page.getByTestId('adapt-folder-input').setInputFiles(SET);
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  await page.getByTestId('adapt-start').click();
  const report = page.getByTestId('adapt-report');
  await expect(report).toBeVisible({ timeout: 240_000 });
  const adaptedId = (await report.getAttribute('data-model-id'))!;
  const aucAfter = Number(await report.getAttribute('data-auc-after'));
  const adaptedOption = option(page, adaptedId);
  await expect(adaptedOption).toHaveAttribute('data-kind', 'adapted');
  await expect(adaptedOption).toContainText(`from ${parent.modelId}`);
  await expect(adaptedOption).toContainText(`test AUC ${aucAfter.toFixed(3)}`);

  // Switch to it; a reload starts it again (from Cache Storage, verified), and the card says what it is.
  await adaptedOption.getByTestId('model-use').click();
  await inUse(page, adaptedId);
  await page.reload();
  await inUse(page, adaptedId);
  await expect(page.getByTestId('model-fallback')).toHaveCount(0);
  // Still exportable after the reload, from the list: a model folder that Node verifies (sha256s, manifest).
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await option(page, adaptedId).getByTestId('model-export').click();
  await expect.poll(() => downloads.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('model-switch-status')).toContainText(`Exported model ${adaptedId}`);
  const names = (await page.getByTestId('model-switch-status').innerText()).replace(/^.*: /, '').replace(/\.$/, '').split(', ');
  await expect.poll(() => downloads.length).toBe(names.length);
  rmSync(EXPORTED, { recursive: true, force: true });
  mkdirSync(EXPORTED, { recursive: true });
  for (const d of downloads) copyFileSync((await d.path())!, join(EXPORTED, d.suggestedFilename()));
  expect(readVerifiedModelDir(EXPORTED).metadata.modelId).toBe(adaptedId);
  await page.getByRole('link', { name: 'Model card' }).click();
  await expect(page.getByTestId('card-model-id')).toContainText(`${adaptedId} (in use here; adapted in this browser)`);
  const adaptedRun = await classify(page);
  expect(adaptedRun.modelId).toBe(adaptedId);
  expect(adaptedRun.shown).toContain(adaptedId);

  // Mid-batch the switch is refused, saying why; the adapted model stays in use.
  await page.getByTestId('file-input').setInputFiles(batch);
  await option(page, parent.modelId).getByTestId('model-use').click();
  await expect(page.getByTestId('model-switch-error')).toContainText('a batch is still running: wait for it to finish (or cancel it) before switching models');
  await expect(page.getByTestId('model-id')).toHaveText(adaptedId);
  await page.getByTestId('cancel').click({ timeout: 2_000 }).catch(() => undefined);
  await expect(page.getByTestId('summary')).not.toContainText('in progress', { timeout: 120_000 });
  // Every row of that batch was computed by the adapted model.
  for (const id of await page.getByTestId('result').evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id')))) expect(id).toBe(adaptedId);

  // Back to the deployed model: its result is the one it gave before; the next visit starts it.
  await option(page, parent.modelId).getByTestId('model-use').click();
  await inUse(page, parent.modelId);
  await expect(page.getByTestId('result')).toHaveCount(0);
  const again = await classify(page);
  expect(again.modelId).toBe(parent.modelId);
  again.probs.forEach((p, i) => expect(p).toBeCloseTo(deployedRun.probs[i]!, 6));
  await page.reload();
  await inUse(page, parent.modelId);

  // Offline (the service worker serving the app): the remembered adapted model starts from Cache Storage
  // and classifies as it did online; switching back to the deployed model works offline too.
  await option(page, adaptedId).getByTestId('model-use').click();
  await inUse(page, adaptedId);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await context.setOffline(true);
  try {
    await page.reload();
    await inUse(page, adaptedId);
    const offline = await classify(page);
    expect(offline.modelId).toBe(adaptedId);
    offline.probs.forEach((p, i) => expect(p).toBeCloseTo(adaptedRun.probs[i]!, 6));
    await option(page, parent.modelId).getByTestId('model-use').click();
    await inUse(page, parent.modelId);
    await option(page, adaptedId).getByTestId('model-use').click();
    await inUse(page, adaptedId);
  } finally {
    await context.setOffline(false);
  }

  // A stored shard goes bad while the adapted model is the choice: the next visit runs the deployed
  // model and says why, naming the file; the choice is forgotten.
  const shard = Object.keys(JSON.parse(await page.evaluate(async (id) => {
    const res = await (await caches.open(`respidetect-adapted-${id}`)).match(new URL(`/.respidetect-adapted/${id}/metadata.json`, location.origin).href);
    return JSON.stringify((await res!.json()).hashes.weights);
  }, adaptedId)) as Record<string, string>)[0]!;
  await page.evaluate(
    async ([id, name]) => {
      const cache = await caches.open(`respidetect-adapted-${id}`);
      const url = new URL(`/.respidetect-adapted/${id}/${name}`, location.origin).href;
      const bytes = new Uint8Array(await (await cache.match(url))!.arrayBuffer());
      bytes[0] = bytes[0]! ^ 0x40;
      await cache.put(url, new Response(bytes));
    },
    [adaptedId, shard] as const,
  );
  await page.reload();
  await inUse(page, parent.modelId);
  const fallback = page.getByTestId('model-fallback');
  await expect(fallback).toContainText(`The adapted model ${adaptedId} chosen last time could not be started`);
  await expect(fallback).toContainText(shard);
  await expect(fallback).toContainText(`using the deployed model ${parent.modelId} instead`);
  expect(await page.evaluate(() => localStorage.getItem('respidetect-model-in-use'))).toBeNull();

  // Removing it (after a confirmation) takes it out of the list and out of this browser.
  page.once('dialog', (d) => void d.accept());
  await option(page, adaptedId).getByTestId('model-remove').click();
  await expect(option(page, adaptedId)).toHaveCount(0);
  expect(await page.evaluate((id) => caches.has(`respidetect-adapted-${id}`), adaptedId)).toBe(false);
});
