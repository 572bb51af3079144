/**
 * A model timed per backend in one run, so ratios are comparable: Node WASM, then Chromium on each
 * browser backend (WASM at each requested thread count). Optionally the same network as a
 * LayersModel beside the graph model. Derived figures: images/s, GFLOP/s and, for WASM, the
 * fraction of the SIMD128 peak of the cores in use, the thread scaling and Chromium ÷ Node.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, tf } from '../../training/src/backend';
import { writeGraphModel, type ModelFacts } from '../../training/src/export/write-model';
import { loadGraphModelDir } from '../../training/src/inference/graph-model';
import { saveModel } from '../../training/src/model/io';
import { normalizeCaffe } from '@respidetect/contract';
import { openBrowserBench } from './browser';
import { modelMacs, simd128PeakGflops } from './flops';
import { REPO } from './results';
import { timeModels, type ModelTiming } from './time-model';

type Dtype = 'float32' | 'float16' | 'uint8';

export interface ModelBenchOptions {
  name: string;
  model: tf.LayersModel;
  facts: ModelFacts;
  size: number;
  iterations: number;
  /** Exported for download sizes; the first is the one timed. */
  dtypes: Dtype[];
  browserBackends: ('webgpu' | 'webgl' | 'wasm' | 'cpu')[];
  /** Chromium WASM runs, one per thread count; default: the app's own default only. */
  wasmThreads?: number[];
  /** Also time the same network as a LayersModel (graph ÷ layers); doubles the bench's time. */
  layers?: boolean;
}

const dirBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const r3 = (x: number) => +x.toFixed(3);

/**
 * The cores' clock, GHz, and where it came from: BENCH_CPU_GHZ, else os.cpus() speed, else
 * /proc/cpuinfo's "cpu MHz" (VMs often report speed 0). Turbo clocks are not reported, so the
 * peak may be low and the fraction of it high; null when nothing says.
 */
function cpuGhz(): { ghz: number; source: string } | null {
  if (process.env.BENCH_CPU_GHZ) return { ghz: Number(process.env.BENCH_CPU_GHZ), source: 'BENCH_CPU_GHZ' };
  const speed = Math.max(...os.cpus().map((c) => c.speed));
  if (speed > 0) return { ghz: speed / 1000, source: 'os.cpus() speed' };
  try {
    const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]);
    if (mhz > 0) return { ghz: mhz / 1000, source: '/proc/cpuinfo cpu MHz' };
  } catch {
    // not Linux
  }
  return null;
}
/** 128-bit float ops a core issues per cycle (see lib/flops.ts): 4 on AMD (Zen 2+: 2 FMUL + 2 FADD pipes), else 2; BENCH_SIMD_OPS_PER_CYCLE overrides. */
const CPU_MODEL = os.cpus()[0]?.model ?? '';
const SIMD_OPS_PER_CYCLE = Number(process.env.BENCH_SIMD_OPS_PER_CYCLE ?? (/\bAMD\b/.test(CPU_MODEL) ? 4 : 2));

export async function runModelBench(o: ModelBenchOptions): Promise<Record<string, unknown>> {
  await initBackend('wasm');
  const work = join(REPO, '.cache', `bench-${o.name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const downloadBytes: Record<string, number> = {};
  for (const dtype of o.dtypes) {
    const dir = join(work, `graph-${dtype}`);
    writeGraphModel({ model: o.model, outDir: dir, dtype, shardBytes: 4 * 2 ** 20, caffeNormalisation: true, facts: o.facts });
    downloadBytes[dtype] = dirBytes(dir);
  }
  const timed = `graph-${o.dtypes[0]!}`;
  const layersDir = join(work, 'layers');
  if (o.layers) {
    await saveModel(o.model, layersDir);
    downloadBytes.layersModelFloat32 = dirBytes(layersDir);
  }
  const gflopPerImage = (2 * modelMacs(o.model)) / 1e9;
  const clock = cpuGhz();
  const peak = (cores: number) => (clock ? simd128PeakGflops({ cores, ghz: clock.ghz, simdOpsPerCycle: SIMD_OPS_PER_CYCLE }) : null);
  /** The figures every timing gets; `threads` (WASM) adds the fraction of those cores' SIMD128 peak. */
  const figures = (t: ModelTiming, threads: number | null) => {
    const gflops = gflopPerImage / (t.medianMs / 1000);
    return {
      loadMs: +t.loadMs.toFixed(1),
      warmupMs: +t.warmupMs.toFixed(1),
      medianMs: +t.medianMs.toFixed(2),
      ms: t.ms.map((m) => +m.toFixed(2)),
      imagesPerSecond: r3(1000 / t.medianMs),
      gflops: r3(gflops),
      ...(threads ? { ofSimd128Peak: peak(threads) ? r3(gflops / peak(threads)!.gflops) : null } : {}),
    };
  };

  const input = tf.randomUniform([1, o.size, o.size, 3], 0, 255) as tf.Tensor4D;
  const graphTimed = { load: async () => (await loadGraphModelDir(join(work, timed))).model, infer: (m: tf.GraphModel, x: tf.Tensor) => m.execute(x, 'probabilities') as tf.Tensor };
  // A shell around the in-memory model: timeModels disposes what it loads, and o.model is the caller's.
  const layersTimed = { load: async () => ({ dispose: () => undefined }), infer: (_m: unknown, x: tf.Tensor) => tf.tidy(() => o.model.predict(normalizeCaffe(tf, x as tf.Tensor4D)) as tf.Tensor) };
  const [graphNode, layersNode] = await timeModels(o.layers ? [graphTimed, layersTimed] : [graphTimed], input, o.iterations);
  input.dispose();
  const nodeThreads = getThreadsCount();

  const perBackend: Record<string, unknown> = {
    'node-wasm': {
      threads: nodeThreads,
      graph: figures(graphNode!, nodeThreads),
      ...(layersNode ? { layers: figures(layersNode, nodeThreads), graphOverLayers: r3(graphNode!.medianMs / layersNode.medianMs) } : {}),
    },
  };
  const wasmMedian: Record<number, number> = {};
  const browser = await openBrowserBench({ ...(o.layers ? { layers: layersDir } : {}), ...Object.fromEntries(o.dtypes.map((d) => [`graph-${d}`, join(work, `graph-${d}`)])) });
  try {
    for (const backend of o.browserBackends) {
      for (const threads of backend === 'wasm' ? (o.wasmThreads ?? [undefined]) : [undefined]) {
        const key = `chromium-${backend}${threads ? `-${threads}t` : ''}`;
        try {
          const r = await browser.run({ backend, size: o.size, iterations: o.iterations, graph: timed, layers: o.layers ? 'layers' : undefined, threads });
          if (r.threads) wasmMedian[r.threads] = r.graph.medianMs;
          perBackend[key] = {
            activeBackend: r.backend,
            threads: r.threads,
            graph: figures(r.graph, r.threads),
            ...(r.layers ? { layers: figures(r.layers, r.threads), graphOverLayers: r3(r.graph.medianMs / r.layers.medianMs) } : {}),
          };
        } catch (e) {
          // WebGPU without an adapter, say: recorded, not fatal.
          perBackend[key] = { error: e instanceof Error ? e.message : String(e) };
        }
        process.stderr.write(`${key}: ${JSON.stringify(perBackend[key])}\n`);
      }
    }
  } finally {
    await browser.close();
  }
  const peak1 = peak(1);
  return {
    model: o.name,
    inputSize: o.size,
    timedGraph: timed,
    iterations: o.iterations,
    gflopPerImage: r3(gflopPerImage),
    downloadBytes,
    perBackend,
    wasmThreadScaling:
      wasmMedian[1] && wasmMedian[2] ? { twoOverOneThroughput: r3(wasmMedian[1] / wasmMedian[2]), note: 'Chromium WASM images/s with 2 threads ÷ with 1 (sequential images, so 1/latency)' } : null,
    chromiumOverNodeWasm: wasmMedian[nodeThreads]
      ? { ratio: r3(wasmMedian[nodeThreads] / graphNode!.medianMs), threads: nodeThreads, note: 'Chromium WASM ÷ Node WASM per-image time, same thread count (target ≤ 1.15)' }
      : null,
    simd128Peak: peak1
      ? {
          perCoreGflops: r3(peak1.gflops),
          formula: peak1.formula,
          ghzSource: clock!.source,
          simdOpsPerCycleSource: process.env.BENCH_SIMD_OPS_PER_CYCLE ? 'BENCH_SIMD_OPS_PER_CYCLE' : `from the CPU model "${CPU_MODEL}": 4 if AMD (Zen 2+), else 2 (Intel Skylake+)`,
        }
      : { unknown: 'no clock reported: set BENCH_CPU_GHZ' },
    note: 'Medians of warm per-image inferences, each read back; ofSimd128Peak is achieved GFLOP/s ÷ the SIMD128 peak of the threads in use; graphOverLayers < 1 means the fused graph model is faster.',
  };
}
