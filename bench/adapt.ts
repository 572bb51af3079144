/**
 * bench:adapt — "Adapt to my images" in Chromium (WASM), on real data. A model is trained by the
 * real pipeline on ../shared/datasets/chest-ct (model.weights=none: a seeded random VGG16 base,
 * because ImageNet weights cannot be downloaded here; read every AUC with that in mind), then
 * adapted in the page to IQ-OTH/NCCD folders (malignant → adenocarcinoma, normal → normal) sized
 * so that the adapt part holds about 100, 200 and 400 images (the folder is that / 0.7: validation
 * and test take 15% each). For each: time per image for the embeddings, time per epoch, and the
 * test-part AUC (95% CI) before (deployed model) and after (adapted), with the majority baseline and
 * the metadata-only baseline (file cues alone, bench/lib/metadata-baseline.ts) on the same test part.
 * Each size runs in a fresh browser profile, so no embedding comes from an earlier run's cache.
 *
 *   npm run bench:adapt                                   # 224 px (the shipped size; long on 2 cores)
 *   BENCH_SIZE=32 BENCH_COUNTS=100 npm run bench:adapt    # a quick check that it works
 *   BENCH_FEATURES_DIR=.cache/bench-features …            # reuse bench:sources' feature cache for the pipeline
 *   BENCH_PARENT_MODEL=path/to/model …                      # a chest-ct model the pipeline already made: no training here
 *
 * Prints JSON and writes bench/results/adapt.json. Scratch folders live under the OS temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { stringify } from 'yaml';
import { parseLabelMapText, type ExternalFigures, type ExternalReport, type ModelMetadata } from '@respidetect/contract';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { IQ_LABEL_MAP, writeIqFolder } from '../testkit/models/adapt-data';
import { assembleSite, buildApp, startServer } from '../testkit/browser/site';
import { CHEST_CT_DIR, chestCtPresent, iqOthnccdPresent } from '../testkit/datasets';
import { REPO, writeResult } from './lib/results';
import { metadataOnlyBaseline } from './lib/metadata-baseline';

const IQ_CLASS = parseLabelMapText(IQ_LABEL_MAP);
import { DEFAULT_PARAMS } from '../training/src/config/params';

const SIZE = Number(process.env.BENCH_SIZE ?? 224);
const COUNTS = (process.env.BENCH_COUNTS ?? '100,200,400').split(',').map(Number);
const ADAPT_SHARE = 0.7;
const CLI = join(REPO, 'training', 'src', 'cli.ts');

if (!chestCtPresent() || !iqOthnccdPresent()) throw new Error('bench:adapt needs ../shared/datasets/chest-ct and ../shared/datasets/iq-othnccd');
const scratch = mkdtempSync(join(tmpdir(), 'bench-adapt-'));

function trainModel(): { dir: string; seconds: number } {
  const dir = join(scratch, 'pipeline');
  mkdirSync(dir, { recursive: true });
  // As bench:sources: random base features are small and the set unbalanced.
  const params = {
    data: { source: CHEST_CT_DIR, classes: ['adenocarcinoma', 'normal'] },
    model: { weights: 'none', image_size: SIZE },
    train: { epochs: 15, learning_rate: 0.05, class_weights: true, augment: false, early_stopping_patience: 4 },
    export: { dtype: 'float32' },
  };
  writeFileSync(join(dir, 'params.yaml'), stringify(params));
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), CLI, 'pipeline'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, RESPIDETECT_FEATURES_DIR: process.env.BENCH_FEATURES_DIR ?? join(scratch, 'features'), MLFLOW_TRACKING_URI: join(dir, 'mlruns'), RESPIDETECT_QUIET: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`pipeline failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return { dir: join(dir, DEFAULT_PARAMS.export.out_dir), seconds: Math.round((Date.now() - t0) / 1000) };
}

const r3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : +x.toFixed(3));
const figures = (f: ExternalFigures | null) =>
  f && {
    n: f.n,
    nPerClass: f.nPerClass,
    rocAuc: r3(f.rocAuc),
    rocAucCi95: f.rocAucCi95?.map(r3) ?? null,
    sensitivity: r3(f.atShippedThreshold.sensitivity.value),
    specificity: r3(f.atShippedThreshold.specificity.value),
    ece: r3(f.ece),
    majorityBaselineAccuracy: r3(f.majorityBaseline.accuracy),
    notes: f.notes,
  };

interface AdaptReport {
  before: ExternalReport;
  after: ExternalReport;
  metadata: ModelMetadata;
  skipped: { file: string; kind: string; reason: string }[];
  bestEpoch: number;
  timings: { embedMsPerImage: number | null; embeddedImages: number; cachedImages: number; msPerEpoch: number; epochs: number };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  // BENCH_PARENT_MODEL: a model folder the real pipeline already trained on chest-ct (e.g. kept from
  // bench:sources' leave-out-iq run), so the slow 224 px training need not run again before the
  // timed browser part.
  const given = process.env.BENCH_PARENT_MODEL;
  const model = given ? { dir: given, seconds: null } : trainModel();
  const parent = JSON.parse(readFileSync(join(model.dir, 'metadata.json'), 'utf8')) as ModelMetadata;
  process.stderr.write(`bench:adapt: parent model ${parent.modelId} at ${parent.inputSize} px${given ? ` from ${given}` : ` trained in ${model.seconds} s`}\n`);
  if (parent.inputSize !== SIZE) throw new Error(`bench:adapt: the parent model is ${parent.inputSize} px, BENCH_SIZE is ${SIZE}`);
  const appDir = join(scratch, 'app');
  buildApp(appDir, { testHooks: false });
  const server = await startServer(assembleSite(appDir, model.dir));
  const browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions });
  const runs: Record<string, unknown>[] = [];
  try {
    for (const n of COUNTS) {
      const perClass = Math.ceil(n / ADAPT_SHARE / 2);
      const folder = writeIqFolder(join(scratch, `iq-${n}`), perClass);
      const context = await browser.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(`${server.url}/?backend=wasm#/adapt`);
      await page.getByTestId('backend').filter({ hasText: 'wasm' }).waitFor({ timeout: 600_000 });
      await page.getByTestId('adapt-folder-input').setInputFiles(folder);
      await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
      const started = Date.now();
      await page.getByTestId('adapt-start').click();
      const outcome = await Promise.race([
        page.getByTestId('adapt-report').waitFor({ timeout: 3_600_000 }).then(() => 'report' as const),
        page.getByTestId('adapt-error').waitFor({ timeout: 3_600_000 }).then(() => 'error' as const),
      ]);
      if (outcome === 'error') {
        runs.push({ adaptImagesTarget: n, folderImages: 2 * perClass, error: await page.getByTestId('adapt-error').textContent() });
        await context.close();
        continue;
      }
      const wallSeconds = (Date.now() - started) / 1000;
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('adapt-download-report').click()]);
      const rep = JSON.parse(readFileSync((await download.path())!, 'utf8')) as AdaptReport;
      const counts = rep.metadata.adaptation!.counts;
      const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      runs.push({
        adaptImagesTarget: n,
        folderImages: 2 * perClass,
        parts: { adapt: counts.adapt, validation: counts.validation, test: counts.test, adaptTotal: total(counts.adapt) },
        // Files that took no part: unreadable, or refused by the not-a-chest-CT rule (with the reasons).
        skipped: rep.skipped.map((x) => `${x.file}: ${x.kind}: ${x.reason}`),
        embeddings: { msPerImage: r3(rep.timings.embedMsPerImage), images: rep.timings.embeddedImages, fromCache: rep.timings.cachedImages },
        training: { msPerEpoch: r3(rep.timings.msPerEpoch), epochs: rep.timings.epochs, bestEpoch: rep.bestEpoch },
        wallSeconds: r3(wallSeconds),
        calibration: { temperature: r3(rep.metadata.temperature), threshold: r3(rep.metadata.decisionThreshold), placedBy: rep.metadata.thresholdPlacement?.placedBy },
        testPart: {
          before: figures(rep.before.all),
          after: figures(rep.after.all),
          metadataOnly: await metadataOnlyBaseline(folder, rep.after.items, (sub) => IQ_CLASS[sub] ?? null, parent.classNames[parent.positiveClass]!).then((m) => ({ ...m, rocAuc: r3(m.rocAuc), ci95: m.ci95?.map(r3) ?? null })),
        },
      });
      process.stderr.write(`bench:adapt ${n}: ${JSON.stringify(runs.at(-1))}\n`);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  writeResult('adapt', {
    imageSize: SIZE,
    backend: 'wasm (Chromium)',
    weights: 'none (seeded random base; ImageNet weights cannot be downloaded here)',
    model: { modelId: parent.modelId, trainedOn: given ? `chest-ct, by the pipeline (given: ${given}; its own test figures are on its test set, which may be another source)` : 'chest-ct (pipeline, adenocarcinoma vs normal)', testRocAuc: r3(parent.metrics.rocAuc), pipelineSeconds: model.seconds },
    adaptationData: `iq-othnccd (${IQ_LABEL_MAP}), spread over case numbers; parts by the training split rule (70/15/15 by content group)`,
    seconds: Math.round((Date.now() - t0) / 1000),
    runs,
  });
}

await main();
