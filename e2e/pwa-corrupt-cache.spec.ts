/**
 * The offline PWA in real Chromium against the real server/: a corrupted cached shard is repaired online and named in a clear error offline.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { expect, test } from '@playwright/test';
import { assembleSite } from '../testkit/browser/site';
import { classifyOne, corruptCachedShard, metadataHash, modelLoaded, offlineReady, pwaModels, serveForTest, shardHash, stopServersAfterEach } from '../testkit/browser/pwa';

const { state, A } = pwaModels();

stopServersAfterEach();

test('a corrupted cached shard is fetched again when online and is a clear error naming it when offline', async ({ page, context }) => {
  const server = await serveForTest(assembleSite(state.appDir, A.dir));
  const shard = A.shards[0]!;
  const expected = metadataHash(A, shard);
  await page.goto(server.url);
  await modelLoaded(page, A.id);
  await offlineReady(page);

  await corruptCachedShard(page, A.id, shard);
  expect(await shardHash(page, A.id, shard)).not.toBe(expected);
  await page.reload();
  await modelLoaded(page, A.id);
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  expect(await shardHash(page, A.id, shard)).toBe(expected);
  await classifyOne(page);

  await corruptCachedShard(page, A.id, shard);
  await context.setOffline(true);
  await server.stop();
  await page.reload();
  const error = page.getByTestId('model-error');
  await expect(error).toBeVisible({ timeout: 60_000 });
  await expect(error).toContainText(shard);
  await expect(error).toContainText(/sha256/);
  await expect(page.getByTestId('model-id')).not.toHaveText(A.id);
});
