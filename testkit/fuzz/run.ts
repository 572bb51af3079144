/**
 * The fuzz runner: seeded mutants of the corpus (corpus.ts, mutate.ts) fed to each reader that
 * would see them (targets.ts), one at a time in a sandboxed worker (worker.ts) with a heap cap, a
 * process RSS cap and a time-out; an overrun terminates the worker and is counted, and a fresh
 * worker takes the next mutant. The report counts every outcome and keeps examples of the bad ones.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { rng } from '@respidetect/contract';
import { HOSTILE_DICOM } from '../hostile/dicom';
import { fuzzSeeds, type Seed } from './corpus';
import { mutate } from './mutate';
import { targetsFor, type TargetName } from './targets';
import type { Job, Outcome } from './worker';

/** Parser text that must never reach a user's reason. */
export const INTERNAL_TEXT = /Cannot read propert|undefined|DataView|Offset is outside|out of bounds|is not a function|is not iterable|Maximum call stack|Invalid typed array|Invalid array length|\bNaN\b|\[object /i;

export interface FuzzOptions {
  seed: number;
  mutants: number;
  /** Per run. */
  timeoutMs: number;
  /** The worker's V8 heap (old generation) cap. */
  heapMb: number;
  /** The process's RSS may grow this much over its level at the start (ArrayBuffers live outside the V8 heap). */
  rssGrowthMb: number;
  /** Also run the full-size hostile files of testkit/hostile/dicom.ts, once each. */
  hostile?: boolean;
}

export type Result = 'accepted' | 'refusal' | 'typed-other' | 'error' | 'timeout' | 'out-of-memory' | 'crash';
export interface Finding {
  seed: string;
  mutant: number;
  mutators: string[];
  target: TargetName;
  result: Result;
  code?: string;
  message?: string;
  details?: string;
  ms: number;
}
export interface TargetCounts {
  runs: number;
  accepted: number;
  refusals: number;
  typedOther: number;
  errors: number;
  timeouts: number;
  outOfMemory: number;
  crashes: number;
  /** Refusals whose message carries parser text (INTERNAL_TEXT). */
  unreadable: number;
  slowestMs: number;
}
export interface FuzzReport {
  options: FuzzOptions;
  seeds: Array<{ name: string; kind: string; bytes: number }>;
  mutants: number;
  runs: number;
  byTarget: Record<string, TargetCounts>;
  byCode: Record<string, number>;
  /** Up to 20 examples of each bad result. */
  examples: Record<string, Finding[]>;
  hostile: Finding[];
  wallMs: number;
}

// The worker loads the TypeScript readers through tsx's ESM hooks (the .mjs beside the package's require entry).
const TSX_API = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/esm/api')), 'index.mjs')).href;
const WORKER = pathToFileURL(fileURLToPath(new URL('./worker.ts', import.meta.url))).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); }).catch((e) => { console.error(e); process.exit(70); });`;

/** One sandboxed worker; replaced whenever a run overruns. */
class Sandbox {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private next = 0;
  constructor(private readonly opts: FuzzOptions) {}

  private start(): Promise<void> {
    this.worker = new Worker(BOOT, { eval: true, resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb, maxYoungGenerationSizeMb: 32 }, stdout: true, stderr: true });
    // The readers' own console chatter (dcmjs warns per odd VR) is not the runner's output.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    const w = this.worker;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          w.off('message', onMessage);
          resolve();
        }
      };
      w.on('message', onMessage);
      w.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code} before it was ready`)));
    });
    return this.ready;
  }

  async run(target: TargetName, name: string, bytes: Uint8Array, rssLimit: number): Promise<{ outcome: Outcome | { kind: 'timeout' | 'out-of-memory' | 'crash'; message?: string }; ms: number }> {
    if (!this.worker) await this.start();
    await this.ready;
    const w = this.worker!;
    const id = ++this.next;
    const t = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome | { kind: 'timeout' | 'out-of-memory' | 'crash'; message?: string }, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        if (kill) {
          this.worker = null;
          void w.terminate();
        }
        resolve({ outcome, ms: performance.now() - t });
      };
      const onMessage = (m: { id: number; outcome: Outcome; ms: number }) => m.id === id && finish(m.outcome, false);
      const onError = (e: Error & { code?: string }) =>
        finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'out-of-memory', message: e.message } : { kind: 'crash', message: `${e.name}: ${e.message}` }, true);
      const onExit = (code: number) => finish({ kind: 'crash', message: `worker exited with ${code}` }, true);
      const timer = setTimeout(() => finish({ kind: 'timeout' }, true), this.opts.timeoutMs);
      const watch = setInterval(() => process.memoryUsage.rss() > rssLimit && finish({ kind: 'out-of-memory', message: 'process RSS over its cap' }, true), 20);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      const copy = bytes.slice();
      w.postMessage({ id, target, name, bytes: copy } satisfies Job, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

/**
 * One reader on one file in a fresh sandbox (heap cap, RSS cap, time-out), for tests of a single
 * hostile file whose failure mode is to take the process down.
 */
export async function runIsolated(
  target: TargetName,
  name: string,
  bytes: Uint8Array,
  opts: Pick<FuzzOptions, 'timeoutMs' | 'heapMb' | 'rssGrowthMb'>,
): Promise<{ outcome: Outcome | { kind: 'timeout' | 'out-of-memory' | 'crash'; message?: string }; ms: number; rssGrowthMb: number }> {
  const sandbox = new Sandbox({ seed: 0, mutants: 0, ...opts });
  const before = process.memoryUsage.rss();
  let peak = before;
  const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const { outcome, ms } = await sandbox.run(target, name, bytes, before + opts.rssGrowthMb * 1024 * 1024);
    return { outcome, ms, rssGrowthMb: Math.round((peak - before) / (1024 * 1024)) };
  } finally {
    clearInterval(watch);
    await sandbox.close();
  }
}

const empty = (): TargetCounts => ({ runs: 0, accepted: 0, refusals: 0, typedOther: 0, errors: 0, timeouts: 0, outOfMemory: 0, crashes: 0, unreadable: 0, slowestMs: 0 });

/** Runs the fuzz: `mutants` mutants (3 DICOM for each raster one), every target that would read each. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const seeds = await fuzzSeeds();
  const dicom = seeds.filter((s) => s.kind === 'dicom');
  const raster = seeds.filter((s) => s.kind !== 'dicom');
  const r = rng(opts.seed);
  const sandbox = new Sandbox(opts);
  const rssLimit = process.memoryUsage.rss() + opts.rssGrowthMb * 1024 * 1024;
  const report: FuzzReport = {
    options: opts,
    seeds: seeds.map((s) => ({ name: s.name, kind: s.kind, bytes: s.bytes.length })),
    mutants: 0,
    runs: 0,
    byTarget: {},
    byCode: {},
    examples: {},
    hostile: [],
    wallMs: 0,
  };
  const record = (f: Finding): void => {
    const c = (report.byTarget[f.target] ??= empty());
    report.runs++;
    c.runs++;
    c.slowestMs = Math.max(c.slowestMs, Math.round(f.ms));
    const field = ({ accepted: 'accepted', refusal: 'refusals', 'typed-other': 'typedOther', error: 'errors', timeout: 'timeouts', 'out-of-memory': 'outOfMemory', crash: 'crashes' } as const)[f.result];
    c[field]++;
    if (f.result === 'refusal') report.byCode[f.code!] = (report.byCode[f.code!] ?? 0) + 1;
    const bad = f.result === 'refusal' && INTERNAL_TEXT.test(f.message ?? '') ? 'unreadable' : !['accepted', 'refusal', 'typed-other'].includes(f.result) ? f.result : null;
    if (bad === 'unreadable') c.unreadable++;
    if (bad) {
      const kept = (report.examples[bad] ??= []);
      if (kept.length < 20) kept.push(f);
    }
  };
  const runOne = async (seed: Seed, mutant: number, mutators: string[], bytes: Uint8Array, target: TargetName): Promise<Finding> => {
    const { outcome, ms } = await sandbox.run(target, mutant < 0 ? seed.name : `${seed.name}#${mutant}`, bytes, rssLimit);
    const f: Finding = { seed: seed.name, mutant, mutators, target, result: outcome.kind === 'refusal' ? 'refusal' : outcome.kind, ms: Math.round(ms * 10) / 10 };
    if ('message' in outcome && outcome.message !== undefined) f.message = outcome.message;
    if (outcome.kind === 'refusal') {
      f.code = outcome.code;
      if (outcome.details !== undefined) f.details = outcome.details.slice(0, 300);
    }
    if (outcome.kind === 'error') f.details = `${outcome.type}${outcome.stack ? `\n${outcome.stack}` : ''}`.slice(0, 600);
    return f;
  };
  try {
    for (let m = 0; m < opts.mutants; m++) {
      const seed = r() < 0.75 ? dicom[Math.floor(r() * dicom.length)]! : raster[Math.floor(r() * raster.length)]!;
      const { bytes, mutators } = mutate(seed.bytes, seed.kind, r);
      report.mutants++;
      for (const target of targetsFor(seed.kind)) record(await runOne(seed, m, mutators, bytes, target));
    }
    if (opts.hostile)
      for (const h of HOSTILE_DICOM) {
        const f = await runOne({ name: h.name, kind: 'dicom', bytes: new Uint8Array(0) }, -1, ['hostile'], h.bytes(), 'decodeDicom');
        report.hostile.push(f);
        record(f);
      }
  } finally {
    await sandbox.close();
  }
  report.wallMs = Math.round(performance.now() - t0);
  return report;
}
