/**
 * bench:app — the classification app as a user meets it, in Chromium against the real server:
 *   - time to first prediction, cold (fresh browser profile: app, WASM binaries and model all
 *     downloaded) and warm (a reload in the same profile: HTTP/model caches, cached self-test);
 *   - per-image latency (one file at a time, median) and throughput (100 files dropped at once),
 *     for each backend, with the ratio throughput / (1 / latency). The target is ≥ 0.9: decoding,
 *     hashing and the queue should add almost nothing on top of the model.
 * Times are taken inside the page (file input "change" → result row marked done), so Playwright's
 * round trips do not count.
 *
 *   APP_BENCH_MODEL   model dir (default public/model, else the e2e model "a", else a tiny CLI-trained one)
 *   APP_BENCH_IMAGES  images in the throughput batch (default 100)
 *   APP_BENCH_BACKENDS comma list (default wasm,webgl,cpu)
 * Prints JSON and writes bench/results/app.json.
 */
import { existsSync, readdirSync } from 'node:fs';
import { benchModelDir } from './lib/model-source';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/support/chromium';
import { CHEST_CT_DIR, REPO } from '../e2e/support/paths';
import { assembleSite, buildApp, startServer } from '../e2e/support/site';
import { writeResult } from './lib/results';
import { checkChestCt } from '@respidetect/contract';
import { decodeImage } from '../training/src/data/decode';

const N = Number(process.env.APP_BENCH_IMAGES ?? 100);
const BACKENDS = (process.env.APP_BENCH_BACKENDS ?? 'wasm,webgl,cpu').split(',');
const LATENCY_RUNS = 10;
const WORK = join(REPO, '.cache', 'bench-app');


/** The first `n` CT images (sorted) that the not-a-chest-CT rule accepts, so every one is inferred (it refuses ~1 in 300). */
async function images(n: number): Promise<string[]> {
  const all: string[] = [];
  for (const split of ['test', 'valid', 'train'])
    for (const cls of ['adenocarcinoma', 'normal']) {
      const dir = join(CHEST_CT_DIR, split, cls);
      if (existsSync(dir)) all.push(...readdirSync(dir).sort().map((f) => join(dir, f)));
    }
  const accepted: string[] = [];
  for (const f of all) {
    if (accepted.length === n) break;
    if (checkChestCt(await decodeImage(f)).ok) accepted.push(f);
  }
  if (accepted.length < n) throw new Error(`bench:app needs ${n} CT images under ${CHEST_CT_DIR} (set CHEST_CT_DIR); found ${accepted.length} the not-CT rule accepts`);
  return accepted;
}

/** Installs in-page timers: the input's change event starts a clock; each row turning "done" stops one. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bench: { start: number; done: number[] } };
    w.__bench = { start: 0, done: [] };
    document.addEventListener('change', () => ((w.__bench.start = performance.now()), (w.__bench.done = [])), true);
    new MutationObserver((muts) => {
      for (const m of muts) if ((m.target as Element).getAttribute?.('data-status') === 'done') w.__bench.done.push(performance.now());
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  });
}

async function runBatch(page: Page, files: string[], expectedDone: number): Promise<number> {
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result"][data-status="done"]').length >= n, expectedDone, { timeout: 600_000, polling: 50 });
  const errors = await page.locator('[data-testid="result"]:is([data-status="error"],[data-status="refused"])').count();
  if (errors) throw new Error(`${errors} files failed in the bench batch`);
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: { start: number; done: number[] } }).__bench;
    return Math.max(...b.done) - b.start;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { dir, source } = await benchModelDir('APP_BENCH_MODEL');
const appDir = join(WORK, 'app');
buildApp(appDir);
const server = await startServer(assembleSite(appDir, dir));
const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions });
const files = await images(N);
const perBackend: Record<string, unknown> = {};
let firstPrediction: Record<string, number> | null = null;
try {
  for (const backend of BACKENDS) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const ttfp = async (): Promise<number> => {
      const t0 = Date.now();
      await page.goto(`${server.url}/?backend=${backend}`);
      await page.getByTestId('file-input').setInputFiles(files.slice(0, 1));
      await page.waitForSelector('[data-testid="result"][data-status="done"]', { timeout: 300_000 });
      return Date.now() - t0;
    };
    const cold = await ttfp();
    const warm = await ttfp();
    if (backend === BACKENDS[0]) firstPrediction = { coldMs: cold, warmMs: warm };
    await page.reload();
    await page.getByTestId('backend').filter({ hasText: backend }).waitFor({ timeout: 300_000 });
    await instrument(page);
    // Warm the decoder and the model once, then one file at a time.
    await runBatch(page, files.slice(0, 1), 1);
    const single: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) single.push(await runBatch(page, files.slice(i + 1, i + 2), i + 2));
    const latencyMs = median(single);
    const batchMs = await runBatch(page, files, LATENCY_RUNS + 1 + files.length);
    const throughput = files.length / (batchMs / 1000);
    perBackend[backend] = {
      timeToFirstPredictionMs: { cold, warm },
      latencyMs: { median: latencyMs, min: Math.min(...single), max: Math.max(...single), runs: single.length },
      batch: { images: files.length, totalMs: batchMs, imagesPerSecond: throughput },
      throughputVsLatency: throughput / (1000 / latencyMs),
      targetMet: throughput / (1000 / latencyMs) >= 0.9,
    };
    process.stderr.write(`${backend}: ${JSON.stringify(perBackend[backend])}\n`);
    await context.close();
  }
  // What the app picks on its own here (self-test), fresh profile.
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(server.url);
  await page.getByTestId('backend').filter({ hasText: /^(webgl|wasm|cpu)$/ }).waitFor({ timeout: 300_000 });
  const chosen = (await page.getByTestId('backend').textContent())!;
  const selfTestMs = Date.now() - t0;
  await context.close();
  writeResult('app', { model: { dir, source }, images: files.length, timeToFirstPrediction: firstPrediction, autoSelectedBackend: chosen, autoSelectionMs: selfTestMs, backends: perBackend });
} finally {
  await browser.close();
  await server.stop();
}
