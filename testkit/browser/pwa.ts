/**
 * The offline PWA's test helpers (e2e/pwa-*.spec.ts): model folders and their hashes, sample images,
 * waiting for the service worker and the model, reading and corrupting the model's Cache Storage,
 * and a second app build to deploy over the first.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { MODEL_DIR } from '@respidetect/contract';
import { E2E_CACHE } from '../paths';
import { readState, startServer, type E2eState, type RunningServer } from './site';
import { rng, syntheticPixels } from '../images/synthetic';

export interface ModelInfo {
  dir: string;
  id: string;
  shards: string[];
}

export function modelInfo(dir: string): ModelInfo {
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as { modelId: string };
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  return { dir, id: meta.modelId, shards: model.weightsManifest.flatMap((g) => g.paths) };
}

/** The sha256 metadata.json gives for a shard. */
export const metadataHash = (m: ModelInfo, shard: string): string =>
  (JSON.parse(readFileSync(join(m.dir, 'metadata.json'), 'utf8')) as { hashes: { weights: Record<string, string> } }).hashes.weights[shard]!;

/** The exporter's shard size. */
export const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * Model a re-exported with a 5 MiB weight the graph never reads, re-sharded at the exporter's
 * 4 MiB: a deployment with a full-size 4 MiB shard, the size Workbox's 2 MiB default would drop.
 * Hashes and model id are recomputed from the bytes written, as the exporter does.
 */
export function withLargeShards(src: ModelInfo): ModelInfo {
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

/** One in-distribution image (the models are trained on these synthetic classes). */
export async function sampleImage(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'respidetect-pwa-')), 'sample.png');
  const px = syntheticPixels(0, 64, 64, rng(99));
  await sharp(Buffer.from(px), { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(file);
  return file;
}

/** `n` copies of the sample image, for a batch that keeps the queue busy for a while. */
export async function sampleBatch(n: number): Promise<string[]> {
  const one = await sampleImage();
  const dir = mkdtempSync(join(tmpdir(), 'respidetect-batch-'));
  return Array.from({ length: n }, (_, i) => {
    const f = join(dir, `batch-${i}.png`);
    cpSync(one, f);
    return f;
  });
}

/** The first service worker controls the page and its precache is complete. */
export async function offlineReady(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

export async function modelLoaded(page: Page, id: string): Promise<void> {
  await expect(page.getByTestId('model-id')).toHaveText(id, { timeout: 120_000 });
}

export async function classifyOne(page: Page): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(await sampleImage());
  const row = page.locator('[data-testid="result"][data-file="sample.png"]');
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(row.getByTestId('prob')).toHaveCount(2);
}

export const cachedPaths = (page: Page, modelId: string) =>
  page.evaluate(async (name) => {
    if (!(await caches.has(name))) return null;
    return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname).sort();
  }, `respidetect-model-${modelId}`);

export const modelCaches = (page: Page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('respidetect-model-')).sort());

/** Flips a byte of a cached shard, the way disk or a buggy extension might. */
export const corruptCachedShard = (page: Page, modelId: string, shard: string) =>
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

export const shardHash = (page: Page, modelId: string, shard: string) =>
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
export function appV2(appDir: string): string {
  const dir = mkdtempSync(join(E2E_CACHE, 'app-v2-'));
  cpSync(appDir, dir, { recursive: true });
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
export function deploy(root: string, appDir: string, modelDir: string): void {
  cpSync(appDir, root, { recursive: true, force: true });
  rmSync(join(root, MODEL_DIR), { recursive: true, force: true });
  cpSync(modelDir, join(root, MODEL_DIR), { recursive: true });
}

/** The e2e run's state and its two CLI-trained models, a and b, as every PWA spec reads them. */
export function pwaModels(): { state: E2eState; A: ModelInfo; B: ModelInfo } {
  const state = readState();
  return { state, A: modelInfo(state.models.a!), B: modelInfo(state.models.b!) };
}

/**
 * Starts the real server on `root` for the current test and stops it after the test, whatever the
 * outcome (call `stopServersAfterEach()` once per spec file). Stopping twice is harmless.
 */
const running: RunningServer[] = [];
export async function serveForTest(root: string): Promise<RunningServer> {
  const server = await startServer(root);
  running.push(server);
  return server;
}
export function stopServersAfterEach(): void {
  test.afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });
}
