/**
 * bench:pwa — time to first prediction, cold (first visit: app shell + model download) vs warm
 * (a later visit: service worker + the model's Cache Storage), and the bytes each path pulls from
 * the network, split into model data (model.json + shards), metadata.json (the update check) and
 * everything else. The warm path must transfer 0 bytes of model data; the run fails otherwise.
 *
 * Bytes come from Chromium's network events (Playwright's request events, which follow the page,
 * its dedicated workers and its service worker over CDP): a response served by the service worker
 * or read from Cache Storage never reaches the network and counts 0.
 *
 *   PWA_BENCH_MODEL   model dir (default public/model, else the e2e model "a", else a tiny CLI-trained one)
 *   PWA_BENCH_RUNS    cold and warm visits each (default 3)
 * Prints JSON and writes bench/results/pwa.json.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { benchModelDir } from './lib/model-source';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from '@playwright/test';
import sharp from 'sharp';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { REPO } from '../testkit/paths';
import { buildApp, startServer } from '../testkit/browser/site';
import { rng, syntheticPixels } from '../testkit/images/synthetic';
import { writeResult } from './lib/results';
import { MODEL_DIR } from '@respidetect/contract';

const RUNS = Number(process.env.PWA_BENCH_RUNS ?? 3);
const WORK = join(REPO, '.cache', 'bench-pwa');


interface Traffic {
  model: number;
  metadata: number;
  other: number;
  modelRequests: string[];
  /** Requests the service worker made itself (its precache install on the cold path). */
  serviceWorkerRequests: number;
}

/** Sums response body + header bytes of every request the context makes, by kind. */
function meter(context: BrowserContext): { take(): Promise<Traffic> } {
  const pending: Promise<void>[] = [];
  let t: Traffic = { model: 0, metadata: 0, other: 0, modelRequests: [], serviceWorkerRequests: 0 };
  const onDone = (req: Request) => {
    pending.push(
      (async () => {
        const res = await req.response();
        if (!res || res.fromServiceWorker()) return;
        if (req.serviceWorker()) t.serviceWorkerRequests++;
        const sizes = await req.sizes();
        // -1 means "unknown" (e.g. a response replayed from the HTTP cache): nothing went over the wire.
        const bytes = Math.max(0, sizes.responseBodySize) + Math.max(0, sizes.responseHeadersSize);
        const path = new URL(req.url()).pathname;
        if (path.endsWith('/model/metadata.json')) t.metadata += bytes;
        else if (path.startsWith('/model/')) {
          t.model += bytes;
          t.modelRequests.push(`${path} ${res.status()} ${sizes.responseBodySize}B`);
        } else t.other += bytes;
      })().catch(() => undefined),
    );
  };
  context.on('requestfinished', onDone);
  return {
    async take() {
      await Promise.all(pending.splice(0));
      const out = t;
      t = { model: 0, metadata: 0, other: 0, modelRequests: [], serviceWorkerRequests: 0 };
      return out;
    },
  };
}

async function samplePng(): Promise<string> {
  const file = join(mkdtempSync(join(WORK, 'img-')), 'sample.png');
  const px = syntheticPixels(0, 224, 224, rng(7));
  await sharp(Buffer.from(px), { raw: { width: 224, height: 224, channels: 3 } }).png().toFile(file);
  return file;
}

/** Navigation → first result row done, in ms. */
async function firstPrediction(page: Page, url: string, image: string, reload: boolean): Promise<number> {
  const t0 = performance.now();
  if (reload) await page.reload();
  else await page.goto(url);
  await page.getByTestId('file-input').setInputFiles(image);
  await page.locator('[data-testid="result"][data-status="done"]').first().waitFor({ timeout: 600_000 });
  return performance.now() - t0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number) => Math.round(x);

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const model = await benchModelDir('PWA_BENCH_MODEL');
  const appDir = join(WORK, 'app');
  buildApp(appDir, { testHooks: false });
  const root = join(WORK, 'site');
  rmSync(root, { recursive: true, force: true });
  cpSync(appDir, root, { recursive: true });
  rmSync(join(root, MODEL_DIR), { recursive: true, force: true });
  cpSync(model.dir, join(root, MODEL_DIR), { recursive: true });
  const meta = JSON.parse(readFileSync(join(root, MODEL_DIR, 'metadata.json'), 'utf8')) as { modelId: string; hashes: { weights: Record<string, string> } };
  const image = await samplePng();

  const server = await startServer(root);
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions });
  const cold: number[] = [];
  const warm: number[] = [];
  const coldTraffic: Traffic[] = [];
  const warmTraffic: Traffic[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const m = meter(context);
      const page = await context.newPage();
      cold.push(await firstPrediction(page, server.url, image, false));
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 120_000 });
      coldTraffic.push(await m.take());
      warm.push(await firstPrediction(page, server.url, image, true));
      // Let the update check finish so its bytes are counted with this visit.
      await page.waitForLoadState('networkidle');
      warmTraffic.push(await m.take());
      await context.close();
      process.stderr.write(`run ${i + 1}/${RUNS}: cold ${round(cold[i]!)} ms, warm ${round(warm[i]!)} ms\n`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }

  const sum = (ts: Traffic[], k: 'model' | 'metadata' | 'other') => median(ts.map((t) => t[k]));
  const warmModelBytes = Math.max(...warmTraffic.map((t) => t.model));
  const out = {
    bench: 'pwa',
    when: new Date().toISOString(),
    model: { source: model.source, modelId: meta.modelId, shards: Object.keys(meta.hashes.weights).length },
    runs: RUNS,
    timeToFirstPredictionMs: {
      cold: { median: round(median(cold)), all: cold.map(round) },
      warm: { median: round(median(warm)), all: warm.map(round) },
      warmOverCold: Number((median(warm) / median(cold)).toFixed(3)),
    },
    networkBytes: {
      cold: {
        modelData: sum(coldTraffic, 'model'),
        metadataJson: sum(coldTraffic, 'metadata'),
        appAndOther: sum(coldTraffic, 'other'),
        serviceWorkerRequests: median(coldTraffic.map((t) => t.serviceWorkerRequests)),
      },
      warm: { modelData: warmModelBytes, metadataJson: sum(warmTraffic, 'metadata'), appAndOther: sum(warmTraffic, 'other') },
    },
    warmModelRequests: warmTraffic.flatMap((t) => t.modelRequests),
    warmModelDataIsZero: warmModelBytes === 0,
  };
  writeResult('pwa', out);
  if (coldTraffic.some((t) => t.model === 0)) throw new Error('the cold path shows no model bytes: network metering is broken, numbers are not trustworthy');
  if (warmModelBytes !== 0 || out.warmModelRequests.length > 0)
    throw new Error(`the warm path fetched model files from the network (${warmModelBytes} bytes): ${out.warmModelRequests.join('; ')}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:pwa failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
