/**
 * The offline PWA in real Chromium against the real server/: offline reload: after one online visit the app, its model and classification work with the network off and the server gone.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { assembleSite } from '../testkit/browser/site';
import { cachedPaths, classifyOne, metadataHash, modelLoaded, offlineReady, pwaModels, serveForTest, SHARD_BYTES, shardHash, stopServersAfterEach, withLargeShards } from '../testkit/browser/pwa';

const { state, A } = pwaModels();

stopServersAfterEach();

test('after one online visit the app loads (cross-origin isolated), loads its 4 MiB-sharded model and classifies with the network off', async ({ page, context }) => {
  const L = withLargeShards(A);
  expect(readFileSync(join(L.dir, L.shards[0]!)).length).toBe(SHARD_BYTES);
  const server = await serveForTest(assembleSite(state.appDir, L.dir));
  await page.goto(server.url);
  await modelLoaded(page, L.id);
  // First visit: the download was shown in bytes and percent, and ended at every weight byte.
  const weightBytes = L.shards.reduce((n, f) => n + readFileSync(join(L.dir, f)).length, 0);
  const progress = page.getByTestId('model-progress');
  await expect(progress).toContainText('(100%)');
  await expect(progress).toContainText(/5\.0 MB of 5\.0 MB/);
  await expect(progress).toHaveAttribute('data-loaded', String(weightBytes));
  await expect(progress).toHaveAttribute('data-total', String(weightBytes));
  await expect(page.getByTestId('storage-used')).toContainText(/Storage used: [\d.]+ [KMG]?B/);
  await offlineReady(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  // Every shard is in the model's cache (none silently skipped), next to model.json and metadata.json.
  expect(await cachedPaths(page, L.id)).toEqual(['/model/metadata.json', '/model/model.json', ...L.shards.map((s) => `/model/${s}`)].sort());
  expect(await shardHash(page, L.id, L.shards[0]!)).toBe(metadataHash(L, L.shards[0]!));

  // Really offline: the browser's network is cut and the server is gone.
  await context.setOffline(true);
  await server.stop();
  await page.reload();
  await modelLoaded(page, L.id);
  // Nothing was downloaded this time, so no download is shown.
  await expect(page.getByTestId('model-progress')).toHaveCount(0);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await classifyOne(page);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});
