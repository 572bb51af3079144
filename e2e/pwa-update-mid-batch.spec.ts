/**
 * The offline PWA in real Chromium against the real server/: a model-only update accepted mid-batch waits until the batch has finished.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { MODEL_DIR } from '@respidetect/contract';
import { assembleSite } from '../testkit/browser/site';
import { classifyOne, modelCaches, modelLoaded, offlineReady, pwaModels, sampleBatch, serveForTest, stopServersAfterEach } from '../testkit/browser/pwa';

const { state, A, B } = pwaModels();

stopServersAfterEach();

test('a model-only update accepted mid-batch waits until the batch has finished', async ({ page }) => {
  const root = assembleSite(state.appDir, A.dir);
  const server = await serveForTest(root);
  await page.goto(server.url);
  await modelLoaded(page, A.id);
  await offlineReady(page);
  await classifyOne(page);

  rmSync(join(root, MODEL_DIR), { recursive: true, force: true });
  cpSync(B.dir, join(root, MODEL_DIR), { recursive: true });
  await page.reload();
  await expect(page.getByTestId('update-prompt')).toBeVisible({ timeout: 60_000 });

  const N = 150;
  await page.getByTestId('file-input').setInputFiles(await sampleBatch(N));
  // What the queue looked like when the page went away: the switch must not cut the batch.
  await page.evaluate(() =>
    addEventListener('beforeunload', () => sessionStorage.setItem('summaryAtUnload', document.querySelector('[data-testid="summary"]')?.textContent ?? '')),
  );
  await expect(page.getByTestId('summary')).toContainText('in progress');
  await page.getByTestId('update-accept').click();
  await modelLoaded(page, B.id);
  const atUnload = await page.evaluate(() => sessionStorage.getItem('summaryAtUnload'));
  expect(atUnload).toMatch(new RegExp(`^${N} classified, 0 refused, 0 failed of ${N}\\.$`));
  expect(await modelCaches(page)).toEqual([`respidetect-model-${B.id}`]);
});
