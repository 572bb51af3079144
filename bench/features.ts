/**
 * bench:features — VGG16 feature-extraction throughput with 1 worker and with N workers
 * (N = os.availableParallelism()), same images, same run, fresh caches.
 *   BENCH_SIZE (default 224), BENCH_IMAGES (default 24: enough that starting the workers does not dominate), BENCH_WORKERS (default: all cores),
 *   CHEST_CT_DIR (else generated images).
 * Weights are random ('none'): speed does not depend on their values, and nothing is downloaded.
 */
import { CHEST_CT_DIR } from '../testkit/datasets';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { writeResult } from './lib/results';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../training/src/backend';
import { decodeImage } from '../training/src/data/decode';
import { extractFeatures, type FeatureItem } from '../training/src/embeddings';
import { loadParams, preprocessSpec } from '../training/src/config/params';
import { writeBase } from '../training/src/model/base-artifact';
import { buildBase, resolveWeights } from '../training/src/model/weights';
import { hashFile, sha256Hex } from '../training/src/util/hash';

const size = Number(process.env.BENCH_SIZE ?? 224);
const count = Number(process.env.BENCH_IMAGES ?? 24);
const ctDir = CHEST_CT_DIR;

async function images(): Promise<{ items: FeatureItem[]; source: string }> {
  const train = join(ctDir, 'train');
  if (existsSync(train)) {
    const paths = readdirSync(train)
      .sort()
      .flatMap((c) => readdirSync(join(train, c)).sort().map((f) => join(train, c, f)));
    const picked = Array.from({ length: count }, (_, i) => paths[Math.floor((i * paths.length) / count)]!);
    const items = await Promise.all(picked.map(async (p) => ({ sha256: await hashFile(p), load: () => decodeImage(p) })));
    return { items, source: `CT images from ${ctDir}` };
  }
  const items = Array.from({ length: count }, (_, i) => {
    const w = 512;
    const data = new Uint8Array(w * w).map((_, k) => (k * (i + 3) + (k >> 9) * 7) % 256);
    return { sha256: sha256Hex(data), load: async () => ({ data, width: w, height: w, channels: 1 as const }) };
  });
  return { items, source: 'generated 512x512 grey images (no CT set found)' };
}

async function main(): Promise<void> {
  process.env.RESPIDETECT_QUIET ??= '1';
  const dir = mkdtempSync(join(tmpdir(), 'bench-features-'));
  try {
    await initBackend('wasm');
    const weights = await resolveWeights('none');
    const model = await buildBase(weights, size);
    const baseDir = join(dir, 'base');
    await writeBase(baseDir, model, { weights: 'none', weightsSha256: weights.hash, imageSize: size });
    model.dispose();
    const { items, source } = await images();
    // The pipeline's own source normalisation (params.yaml), so the bench times what training runs.
    const preprocess = preprocessSpec(loadParams());
    const n = Number(process.env.BENCH_WORKERS ?? availableParallelism());
    const runs: { workers: number; seconds: number; imagesPerSecond: number }[] = [];
    for (const workers of [...new Set([1, n])]) {
      const t0 = performance.now();
      const f = await extractFeatures({ items, baseDir, views: 0, workers, cacheDir: join(dir, `cache-${workers}`), preprocess });
      const seconds = (performance.now() - t0) / 1000;
      if (f.failed.length) throw new Error(`bench: ${f.failed.length} images failed: ${f.failed[0]!.error}`);
      runs.push({ workers, seconds: +seconds.toFixed(2), imagesPerSecond: +(items.length / seconds).toFixed(3) });
    }
    const one = runs[0]!;
    const many = runs[runs.length - 1]!;
    const result = {
      bench: 'features',
      imageSize: size,
      images: items.length,
      source,
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      loadAverage1m: +loadavg()[0]!.toFixed(2),
      runs,
      speedup: +(many.imagesPerSecond / one.imagesPerSecond).toFixed(2),
      target: '>= 1.7x with 2 workers on 2 cores',
      note: 'Times include starting the workers and loading the base in each (a few seconds); the machine may be shared, see loadAverage1m.',
      date: new Date().toISOString(),
    };
    writeResult('features', result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:features: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
