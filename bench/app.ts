/**
 * bench:app — the classification app as a user meets it, in Chromium against the real server, on
 * the shipped network at the product's size: VGG16 (seeded random weights, model.weights=none,
 * labelled so in the result) exported as the float16 graph model, unless APP_BENCH_MODEL names one.
 *   - time to first prediction, cold (fresh browser profile: app, WASM binaries and model all
 *     downloaded) and warm (a reload in the same profile: HTTP/model caches, cached self-test);
 *   - per-slice latency (one file at a time, median) and throughput (a batch dropped at once),
 *     per run (a backend, and for WASM a thread count), with throughput / (1 / latency); the target
 *     is ≥ 0.9: decoding, hashing and the queue should add almost nothing on top of the model;
 *   - WASM batch throughput with 2 threads ÷ 1 thread;
 *   - batched inference (issue 17 item 4): a run `backend/bN` drops the same files with ?batch=N;
 *     `batchGain` gives its throughput ÷ that of `backend/b1` (same backend and threads, same
 *     images), and each run lists the batch sizes its rows report (data-batch), so a run that did
 *     not really batch shows;
 *   - first-visit auto-selection: its time, the self-test's verdicts, and its cost in inferences on
 *     the backend it chose (time ÷ that backend's latency).
 * Times are taken inside the page (file input "change" → result row marked done), so Playwright's
 * round trips do not count.
 *
 *   BENCH_SIZE            model input size (default 224; e.g. 32 for a quick check that it runs)
 *   APP_BENCH_MODEL       model dir instead of the VGG16 export
 *   APP_BENCH_IMAGES      images in a CPU-side batch (default 100)
 *   APP_BENCH_GPU_IMAGES  images in a WebGL/WebGPU batch (default 10: SwiftShader takes ~10 s a slice at 224 px)
 *   APP_BENCH_LATENCY_RUNS one-file runs timed for the latency median (default 10; fewer for a GPU comparison on SwiftShader)
 *   APP_BENCH_RUNS        comma list of backend[@threads][/bN] (default wasm@1,wasm@2,wasm,webgl,webgpu; cpu is
 *                         left out: ~a minute a slice at 224 px). /bN sets ?batch=N (none: the backend's
 *                         default, batch-size.ts). A /bN run with N > 1 skips the time to first prediction
 *                         and the one-file latency (one file runs alone whatever N: the /b1 run measures
 *                         them), warms up with a batch of N, and times the batch. E.g. the batch comparison:
 *                         wasm@2/b1,wasm@2/b4,webgl/b1,webgl/b4,webgpu/b1,webgpu/b4. WebGPU runs get a
 *                         browser of their own with --enable-unsafe-webgpu (SwiftShader's Vulkan without a GPU).
 * Prints JSON and writes bench/results/app.json.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { CHEST_CT_DIR, REPO } from '../testkit/paths';
import { assembleSite, buildApp, startServer } from '../testkit/browser/site';
import { writeResult } from './lib/results';
import { checkChestCt } from '@respidetect/contract';
import { decodeImage } from '../training/src/data/decode';
import { exportVggModel } from '../testkit/models/vgg-model';

const SIZE = Number(process.env.BENCH_SIZE ?? 224);
const N = Number(process.env.APP_BENCH_IMAGES ?? 100);
const N_GPU = Number(process.env.APP_BENCH_GPU_IMAGES ?? 10);
const RUNS = (process.env.APP_BENCH_RUNS ?? 'wasm@1,wasm@2,wasm,webgl,webgpu').split(',').map((r) => {
  const m = /^(\w+)(?:@(\d+))?(?:\/b(\d+))?$/.exec(r);
  if (!m) throw new Error(`APP_BENCH_RUNS: "${r}" is not backend[@threads][/bN]`);
  return { key: r, backend: m[1]!, threads: m[2] ? Number(m[2]) : null, batch: m[3] ? Number(m[3]) : null, same: r.replace(/\/b\d+$/, '') };
});
const LATENCY_RUNS = Number(process.env.APP_BENCH_LATENCY_RUNS ?? 10);
const WORK = join(REPO, '.cache', 'bench-app');
const BACKEND_TEXT = /^(webgpu|webgl|wasm|cpu)$/;


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
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result"][data-status="done"]').length >= n, expectedDone, { timeout: 1_200_000, polling: 50 });
  const errors = await page.locator('[data-testid="result"]:is([data-status="error"],[data-status="refused"])').count();
  if (errors) throw new Error(`${errors} files failed in the bench batch`);
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: { start: number; done: number[] } }).__bench;
    return Math.max(...b.done) - b.start;
  });
}

/** How many of the last `n` rows report each batch size (data-batch: images in the model run that computed the row). */
async function batchSizesOfLast(page: Page, n: number): Promise<Record<string, number>> {
  const sizes = await page.getByTestId('result').evaluateAll((els) => els.map((el) => el.getAttribute('data-batch') ?? 'none'));
  const out: Record<string, number> = {};
  for (const b of sizes.slice(-n)) out[b] = (out[b] ?? 0) + 1;
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Waits for the page to be ready on a backend; throws with the page's own reason when it cannot start (WebGPU without an adapter). */
async function started(page: Page): Promise<string> {
  const failed = page.getByText(/could not be (started|loaded)/);
  await page.getByTestId('backend').filter({ hasText: BACKEND_TEXT }).or(failed).first().waitFor({ timeout: 600_000 });
  if (await failed.count()) throw new Error((await failed.first().textContent())!);
  return (await page.getByTestId('backend').textContent())!;
}

const model = process.env.APP_BENCH_MODEL
  ? { dir: process.env.APP_BENCH_MODEL, source: `APP_BENCH_MODEL=${process.env.APP_BENCH_MODEL}` }
  : {
      dir: await exportVggModel(join(WORK, `vgg16-${SIZE}`), SIZE, 'float16'),
      source: `VGG16 float16 graph, ${SIZE} px, weights: none (seeded random base, model.weights=none), not a trained model`,
    };
const appDir = join(WORK, 'app');
buildApp(appDir, { testHooks: false });
const server = await startServer(assembleSite(appDir, model.dir));
const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions });
// WebGPU runs only: with this flag headless Chromium offers WebGPU (on SwiftShader without a GPU).
// The other runs and the first-visit self-test keep the plain browser, as before.
const webgpu: { browser: Browser | null } = { browser: null };
const browserFor = async (backend: string): Promise<Browser> =>
  backend === 'webgpu' ? (webgpu.browser ??= await chromium.launch({ headless: true, ...chromiumLaunchOptions, args: [...chromiumLaunchOptions.args, '--enable-unsafe-webgpu'] })) : browser;
// The batched runs warm up on the last files, which no timed batch includes: an input given the
// same files twice in a row fires no change event, and the page would never start.
const MAX_BATCH_RUN = Math.max(0, ...RUNS.map((r) => r.batch ?? 0));
const files = await images(Math.max(N, N_GPU, LATENCY_RUNS + 1) + MAX_BATCH_RUN);
const perRun: Record<string, Record<string, unknown>> = {};
try {
  for (const run of RUNS) {
    const context = await (await browserFor(run.backend)).newContext();
    const page = await context.newPage();
    const url = `${server.url}/?backend=${run.backend}${run.threads ? `&threads=${run.threads}` : ''}${run.batch ? `&batch=${run.batch}` : ''}`;
    const ttfp = async (): Promise<number> => {
      const t0 = Date.now();
      await page.goto(url);
      await started(page);
      await page.getByTestId('file-input').setInputFiles(files.slice(0, 1));
      await page.waitForSelector('[data-testid="result"][data-status="done"]', { timeout: 600_000 });
      return Date.now() - t0;
    };
    try {
      const gpu = run.backend === 'webgl' || run.backend === 'webgpu';
      const batch = files.slice(0, gpu ? N_GPU : N);
      const batched = (run.batch ?? 1) > 1;
      // One file runs alone whatever ?batch= says: the /b1 (or plain) run measures these.
      const cold = batched ? null : await ttfp();
      const warm = batched ? null : await ttfp();
      if (batched) await page.goto(url);
      else await page.reload();
      await started(page);
      const threads = await page.getByTestId('wasm-threads').textContent({ timeout: 1000 }).catch(() => null);
      await instrument(page);
      let done = 0;
      const timed = async (some: string[]) => runBatch(page, some, (done += some.length));
      // Warm the decoder and the model once: with a batch, at the batch's size and at the size of
      // the timed batch's last, partial one (WebGL compiles shaders per tensor shape).
      await timed(files.slice(0, 1));
      if (batched) {
        await timed(files.slice(-run.batch!));
        if (batch.length % run.batch! > 1) await timed(files.slice(-(batch.length % run.batch!)));
      }
      const single: number[] = [];
      if (!batched) for (let i = 0; i < LATENCY_RUNS; i++) single.push(await timed(files.slice(i + 1, i + 2)));
      const latencyMs = single.length ? median(single) : null;
      const batchMs = await timed(batch);
      const throughput = batch.length / (batchMs / 1000);
      perRun[run.key] = {
        backend: run.backend,
        threads: threads === null ? null : Number(threads),
        batchParam: run.batch,
        timeToFirstPredictionMs: cold === null ? null : { cold, warm },
        latencyMs: latencyMs === null ? null : { median: latencyMs, min: Math.min(...single), max: Math.max(...single), runs: single.length },
        batch: { images: batch.length, totalMs: batchMs, imagesPerSecond: throughput, rowsByModelRunSize: await batchSizesOfLast(page, batch.length) },
        throughputVsLatency: latencyMs === null ? null : throughput / (1000 / latencyMs),
        targetMet: latencyMs === null ? null : throughput / (1000 / latencyMs) >= 0.9,
      };
    } catch (e) {
      perRun[run.key] = { backend: run.backend, error: e instanceof Error ? e.message : String(e) };
    }
    process.stderr.write(`${run.key}: ${JSON.stringify(perRun[run.key])}\n`);
    await context.close();
  }
  // What the app picks on its own here (self-test), fresh profile: the first visit.
  const context = await browser.newContext();
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(server.url);
  const chosen = await started(page);
  const autoSelectionMs = Date.now() - t0;
  await page.getByTestId('self-test').locator('summary').click();
  const selfTest = await page.getByTestId('self-test').locator('li').allTextContents();
  await context.close();
  const ips = (k: string) => (perRun[k]?.batch as { imagesPerSecond?: number } | undefined)?.imagesPerSecond;
  // The plain run of the chosen backend ('wasm' runs at the app's default thread count, as the self-test did).
  const chosenLatency = (perRun[chosen]?.latencyMs as { median: number } | undefined)?.median;
  // Each /bN run against the /b1 run of the same backend and threads: same images, same page set-up.
  const batchGain = Object.fromEntries(
    RUNS.filter((r) => (r.batch ?? 1) > 1 && ips(r.key) && ips(`${r.same}/b1`)).map((r) => [
      r.key,
      { over: `${r.same}/b1`, imagesPerSecond: ips(r.key), baseline: ips(`${r.same}/b1`), throughputRatio: ips(r.key)! / ips(`${r.same}/b1`)! },
    ]),
  );
  writeResult('app', {
    model: { dir: model.dir, source: model.source, inputSize: SIZE },
    images: { cpuBatch: N, gpuBatch: N_GPU },
    runs: perRun,
    batchGain,
    wasmThreadScaling: ips('wasm@1') && ips('wasm@2') ? { twoOverOneBatchThroughput: ips('wasm@2')! / ips('wasm@1')!, target: 1.6 } : null,
    autoSelection: {
      ms: autoSelectionMs,
      chosen,
      selfTest,
      note: 'first visit, fresh profile: page load + model download and verify + self-test + model ready on the chosen backend',
      inInferencesOnChosen: chosenLatency ? autoSelectionMs / chosenLatency : null,
      before: 'issue 17: 94 s at 224 px with the old self-test (every backend warm-up + up to 3 timed runs)',
    },
  });
} finally {
  await webgpu.browser?.close();
  await browser.close();
  await server.stop();
}
