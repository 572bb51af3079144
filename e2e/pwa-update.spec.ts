/**
 * The offline PWA in real Chromium against the real server/: the update flow between two deployments (new app build and model b), switched only when the user accepts.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { expect, test } from '@playwright/test';
import { assembleSite } from '../testkit/browser/site';
import { appV2, classifyOne, deploy, modelCaches, modelLoaded, offlineReady, pwaModels, serveForTest, stopServersAfterEach } from '../testkit/browser/pwa';

const { state, A, B } = pwaModels();

stopServersAfterEach();

test('a new deployment (new app build, model b) is offered, switched only on accept, and the old model cache goes', async ({ page }) => {
  const root = assembleSite(state.appDir, A.dir);
  const server = await serveForTest(root);
  await page.goto(server.url);
  await modelLoaded(page, A.id);
  await offlineReady(page);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);

  deploy(root, appV2(state.appDir), B.dir);
  await page.reload();
  await expect(page.getByTestId('update-prompt')).toBeVisible({ timeout: 60_000 });
  // Nothing switched behind the user's back: still v1's code and model a.
  await expect(page.getByTestId('model-id')).toHaveText(A.id);
  await expect(page.locator('meta[name="respidetect-build"]')).toHaveCount(0);

  await page.getByTestId('update-accept').click();
  await modelLoaded(page, B.id);
  await expect(page.locator('meta[name="respidetect-build"]')).toHaveAttribute('content', 'v2');
  expect(await modelCaches(page)).toEqual([`respidetect-model-${B.id}`]);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  await classifyOne(page);
});
