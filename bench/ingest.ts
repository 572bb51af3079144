/**
 * bench:ingest — the ingest stage on the real chest CT set (CHEST_CT_DIR, else ../shared), into a
 * fresh prepared dir: a first run (decodes every distinct image) against a rerun with unchanged
 * inputs (decodes nothing), in one process so the ratio is fair on a busy machine. Also compares
 * reading all prepared images with decoding the originals again, the cost the cache saves later stages.
 */
import { CHEST_CT_DIR } from '../testkit/datasets';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeResult } from './lib/results';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PARAMS, type Params } from '../training/src/config/params';
import { decodeImage } from '../training/src/data/decode';
import { ingest } from '../training/src/data/ingest';
import { readPrepared } from '../training/src/data/prepared';
import { toRgb } from '@respidetect/contract';

const ctDir = CHEST_CT_DIR;
const classes = ['adenocarcinoma', 'large_cell_carcinoma', 'normal', 'squamous_cell_carcinoma'];

async function main(): Promise<void> {
  process.env.RESPIDETECT_QUIET ??= '1';
  if (!existsSync(join(ctDir, 'train'))) throw new Error(`bench:ingest needs the chest CT set at ${ctDir} (set CHEST_CT_DIR)`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  try {
    const params: Params = { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: ctDir, classes, prepared_dir: join(dir, 'prepared') } };
    const opts = { reportPath: null, cacheDir: join(dir, 'cache') };
    const runs = [];
    for (const name of ['first', 'rerun'] as const) {
      const t0 = performance.now();
      const { report } = await ingest(params, opts);
      runs.push({ run: name, seconds: +((performance.now() - t0) / 1000).toFixed(3), decoded: report.decode.decoded, fromCache: report.decode.cached, timingsMs: report.timingsMs, datasetVersion: report.datasetVersion });
    }
    const { manifest } = await ingest(params, opts);
    const sample = manifest.rows.slice(0, 200);
    let t0 = performance.now();
    for (const r of sample) await readPrepared(params.data.prepared_dir, r.sha256);
    const readMs = performance.now() - t0;
    t0 = performance.now();
    for (const r of sample) toRgb(await decodeImage(join(manifest.datasetRoot, r.path)));
    const decodeMs = performance.now() - t0;
    const [first, rerun] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const result = {
      bench: 'ingest',
      source: ctDir,
      files: 1000,
      classes,
      runs,
      rerunSpeedup: +(first.seconds / rerun.seconds).toFixed(1),
      rerunDecodesNothing: rerun.decoded === 0 && rerun.datasetVersion === first.datasetVersion,
      preparedRead: { images: sample.length, readPreparedMs: Math.round(readMs), decodeOriginalMs: Math.round(decodeMs), speedup: +(decodeMs / readMs).toFixed(1) },
      machine: { cores: availableParallelism(), loadavg1: +loadavg()[0]!.toFixed(2) },
    };
    writeResult('ingest', result);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ingest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
