/**
 * The offline PWA in real Chromium against the real server/: offline reload, the update flow
 * between two deployments, corrupted cached shards, cross-origin isolation, installability.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { E2E_CACHE } from '../testkit/paths';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';
import { rng, syntheticPixels } from '../testkit/images/synthetic';

const state = readState();

interface ModelInfo {
  dir: string;
  id: string;
  shards: string[];
}

function modelInfo(dir: string): ModelInfo {
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as { modelId: string };
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  return { dir, id: meta.modelId, shards: model.weightsManifest.flatMap((g) => g.paths) };
}

/** The sha256 metadata.json gives for a shard. */
const metadataHash = (m: ModelInfo, shard: string): string =>
  (JSON.parse(readFileSync(join(m.dir, 'metadata.json'), 'utf8')) as { hashes: { weights: Record<string, string> } }).hashes.weights[shard]!;

const A = modelInfo(state.models.a!);
const B = modelInfo(state.models.b!);

const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Model a re-exported with a 5 MiB weight the graph never reads, re-sharded at the exporter's
 * 4 MiB: a deployment with a full-size 4 MiB shard, the size Workbox's 2 MiB default would drop.
 * Hashes and model id are recomputed from the bytes written, as the exporter does.
 */
function withLargeShards(src: ModelInfo): ModelInfo {
  const dir = mkdtempSync(join(E2E_CACHE, 'model-large-'));
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const model = JSON.parse(readFileSync(join(src.dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: unknown[] }[] };
  const weights = Buffer.concat([...src.shards.map((s) => readFileSync(join(src.dir, s))), Buffer.alloc(5 * 1024 * 1024, 7)]);
  const count = Math.ceil(weights.length / SHARD_BYTES);
  const hashes: Record<string, string> = {};
  const paths = Array.from({ length: count }, (_, i) => {
    const bytes = weights.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES);
    const name = `group1-shard${i + 1}of${count}.${sha(bytes).slice(0, 16)}.bin`;
    writeFileSync(join(dir, name), bytes);
    hashes[name] = sha(bytes);
    return name;
  });
  model.weightsManifest = [{ paths, weights: [...model.weightsManifest.flatMap((g) => g.weights), { name: 'pwa_e2e_padding', shape: [5 * 256 * 1024], dtype: 'float32' }] }];
  const modelJson = JSON.stringify(model);
  writeFileSync(join(dir, 'model.json'), modelJson);
  const meta = JSON.parse(readFileSync(join(src.dir, 'metadata.json'), 'utf8')) as { modelId: string; hashes: unknown };
  meta.hashes = { modelJson: sha(modelJson), weights: hashes };
  meta.modelId = sha(sha(modelJson) + Object.values(hashes).join('')).slice(0, 16);
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(meta, null, 2));
  return modelInfo(dir);
}

let server: RunningServer | null = null;
test.afterEach(async () => {
  await server?.stop();
  server = null;
});

/** One in-distribution image (the models are trained on these synthetic classes). */
async function sampleImage(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'respidetect-pwa-')), 'sample.png');
  const px = syntheticPixels(0, 64, 64, rng(99));
  await sharp(Buffer.from(px), { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(file);
  return file;
}

/** `n` copies of the sample image, for a batch that keeps the queue busy for a while. */
async function sampleBatch(n: number): Promise<string[]> {
  const one = await sampleImage();
  const dir = mkdtempSync(join(tmpdir(), 'respidetect-batch-'));
  return Array.from({ length: n }, (_, i) => {
    const f = join(dir, `batch-${i}.png`);
    cpSync(one, f);
    return f;
  });
}

/** The first service worker controls the page and its precache is complete. */
async function offlineReady(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

async function modelLoaded(page: Page, id: string): Promise<void> {
  await expect(page.getByTestId('model-id')).toHaveText(id, { timeout: 120_000 });
}

async function classifyOne(page: Page): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(await sampleImage());
  const row = page.locator('[data-testid="result"][data-file="sample.png"]');
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(row.getByTestId('prob')).toHaveCount(2);
}

const cachedPaths = (page: Page, modelId: string) =>
  page.evaluate(async (name) => {
    if (!(await caches.has(name))) return null;
    return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname).sort();
  }, `respidetect-model-${modelId}`);

const modelCaches = (page: Page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('respidetect-model-')).sort());

/** Flips a byte of a cached shard, the way disk or a buggy extension might. */
const corruptCachedShard = (page: Page, modelId: string, shard: string) =>
  page.evaluate(
    async ({ name, path }) => {
      const cache = await caches.open(name);
      const url = new URL(path, location.href).href;
      const res = await cache.match(url);
      if (!res) throw new Error(`${url} is not cached`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      bytes[0] = bytes[0]! ^ 0xff;
      await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
    },
    { name: `respidetect-model-${modelId}`, path: `/model/${shard}` },
  );

const shardHash = (page: Page, modelId: string, shard: string) =>
  page.evaluate(
    async ({ name, path }) => {
      const res = await (await caches.open(name)).match(new URL(path, location.href).href);
      if (!res) return null;
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', await res.arrayBuffer()));
      return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
    },
    { name: `respidetect-model-${modelId}`, path: `/model/${shard}` },
  );

/**
 * A second build of the app: index.html changes (a build marker) and sw.js carries its new
 * precache revision, exactly what a redeploy of new app code looks like to the browser.
 */
function appV2(): string {
  const dir = mkdtempSync(join(E2E_CACHE, 'app-v2-'));
  cpSync(state.appDir, dir, { recursive: true });
  const indexPath = join(dir, 'index.html');
  const before = readFileSync(indexPath);
  const after = Buffer.from(before.toString('utf8').replace('<head>', '<head>\n    <meta name="respidetect-build" content="v2" />'));
  writeFileSync(indexPath, after);
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const swPath = join(dir, 'sw.js');
  const sw = readFileSync(swPath, 'utf8');
  expect(sw, 'sw.js must precache index.html with a revision').toContain(md5(before));
  writeFileSync(swPath, sw.replace(md5(before), md5(after)));
  // Precompressed twins would still hold the old bytes.
  for (const f of ['index.html', 'sw.js']) for (const ext of ['.br', '.gz']) rmSync(join(dir, f + ext), { force: true });
  return dir;
}

/** Replaces a served root's content in place: same origin, new deployment. */
function deploy(root: string, appDir: string, modelDir: string): void {
  cpSync(appDir, root, { recursive: true, force: true });
  rmSync(join(root, 'model'), { recursive: true, force: true });
  cpSync(modelDir, join(root, 'model'), { recursive: true });
}

test('after one online visit the app loads (cross-origin isolated), loads its 4 MiB-sharded model and classifies with the network off', async ({ page, context }) => {
  const L = withLargeShards(A);
  expect(readFileSync(join(L.dir, L.shards[0]!)).length).toBe(SHARD_BYTES);
  server = await startServer(assembleSite(state.appDir, L.dir));
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

test('a new deployment (new app build, model b) is offered, switched only on accept, and the old model cache goes', async ({ page }) => {
  const root = assembleSite(state.appDir, A.dir);
  server = await startServer(root);
  await page.goto(server.url);
  await modelLoaded(page, A.id);
  await offlineReady(page);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);

  deploy(root, appV2(), B.dir);
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

test('a model-only update accepted mid-batch waits until the batch has finished', async ({ page }) => {
  const root = assembleSite(state.appDir, A.dir);
  server = await startServer(root);
  await page.goto(server.url);
  await modelLoaded(page, A.id);
  await offlineReady(page);
  await classifyOne(page);

  rmSync(join(root, 'model'), { recursive: true, force: true });
  cpSync(B.dir, join(root, 'model'), { recursive: true });
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

test('a corrupted cached shard is fetched again when online and is a clear error naming it when offline', async ({ page, context }) => {
  server = await startServer(assembleSite(state.appDir, A.dir));
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

test('the app is installable: manifest fields, icons, and no installability errors from Chromium', async () => {
  server = await startServer(assembleSite(state.appDir, A.dir));
  const url = server.url;
  // Chromium reports "in-incognito" for Playwright's default contexts; installability needs a profile.
  const profile = mkdtempSync(join(tmpdir(), 'respidetect-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    headless: true,
    ...chromiumLaunchOptions,
  });
  try {
    const page = await ctx.newPage();
    await page.goto(url);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const res = await page.request.get(new URL(href!, url).href);
    expect(res.ok()).toBe(true);
    const manifest = (await res.json()) as { name: string; short_name: string; start_url: string; display: string; icons: { src: string; sizes: string; type: string; purpose?: string }[] };
    expect(manifest.name).toContain('RespiDetect');
    expect(manifest.start_url).toBe('/');
    expect(manifest.display).toBe('standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size && (i.purpose ?? 'any').includes('any'));
      expect(icon, `a ${size} icon`).toBeTruthy();
      const img = await page.request.get(new URL(icon!.src, url).href);
      expect(img.ok()).toBe(true);
      expect(img.headers()['content-type']).toBe('image/png');
      const meta = await sharp(await img.body()).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(size);
    }
    await offlineReady(page);
    const cdp = await ctx.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
