/**
 * The start-up self-test, run in the worker on first visit (the verdict is then cached per device
 * and model): each candidate backend loads the model and runs one cold inference on a probe
 * image; the output must be sane and agree with the first backend that passed; the fastest wins.
 * The policy (order, which to skip, when to stop one) is pure, in select-backend.ts.
 *
 * Cost: one inference on WASM, plus at most CHALLENGER_DEADLINE of it per GPU challenger (what a
 * GPU backend does synchronously, e.g. WebGL's shader compilation, cannot be cut short, hence
 * software WebGL is not probed once WASM works), plus the model loads; before, every candidate (CPU and SwiftShader WebGL included) ran a warm-up and up to
 * three timed runs, 94 s at 224 px. The winner's loaded model is kept, not loaded again.
 */
import type { BackendName } from '../../config/model';
import type { VerifiedModelFiles } from '../../lib/verified-model-files';
import { activateBackend, retireWebgl, webglContext, webglRenderer } from './backends';
import { Classifier, type RawPrediction } from './classifier';
import type { BenchmarkEntry } from '../../lib/worker-protocol/messages';
import { ModelFileError } from '@respidetect/contract';
import { AGREEMENT_TOLERANCE, bestSoFar, CHALLENGER_DEADLINE, chooseBackend, maxAbsDiff, probeDeadlineMs, probeImage, PROBE_ORDER, saneProbabilities, shouldProbe, skipSoftwareWebgl } from './select-backend';

export const NOT_AVAILABLE = 'not available in this browser';

export interface SelfTestResult {
  backend: BackendName;
  entries: BenchmarkEntry[];
  /** The winner's model, loaded and warm (its probe ran), on the now active backend. */
  classifier: Classifier;
}

const TIMED_OUT = Symbol('timed out');

function withDeadline<T>(work: Promise<T>, ms: number | null): Promise<T | typeof TIMED_OUT> {
  if (ms === null) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * A GPU probe left running past its deadline. WebGL: the context is lost on purpose, which stops
 * SwiftShader's work (it would otherwise keep the CPU busy while the page starts on WASM) and
 * settles the pending read (raceContextLoss); the backend is then retired for this worker. WebGPU:
 * the queued work finishes on the GPU and the model is freed then.
 */
function abandon(backend: BackendName, classifier: Classifier, pending: Promise<unknown>): void {
  pending.catch(() => undefined);
  if (backend === 'webgl') {
    webglContext()?.getExtension('WEBGL_lose_context')?.loseContext();
    retireWebgl();
  } else {
    void pending.finally(() => classifier.dispose());
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function selfTest(model: VerifiedModelFiles): Promise<SelfTestResult> {
  const entries: BenchmarkEntry[] = [];
  const probe = probeImage(model.metadata.inputSize);
  let reference: { backend: BackendName; p: number[] } | null = null;
  const passed = new Map<BackendName, Classifier>();
  for (const backend of PROBE_ORDER) {
    if (!shouldProbe(backend, entries)) {
      entries.push({ backend, ok: false, error: `not timed: ${bestSoFar(entries)!.backend} works (CPU is the last resort)` });
      continue;
    }
    if (!(await activateBackend(backend))) {
      entries.push({ backend, ok: false, error: NOT_AVAILABLE });
      continue;
    }
    if (backend === 'webgl' && skipSoftwareWebgl(webglRenderer(), entries)) {
      entries.push({ backend, ok: false, error: 'not timed: software WebGL (SwiftShader), on the same cores as WASM, which works' });
      continue;
    }
    const deadline = probeDeadlineMs(entries);
    let c: Classifier | null = null;
    try {
      c = await Classifier.load(model, { warmUp: false });
      const t0 = performance.now();
      const pending = c.predict(probe);
      const out: RawPrediction | typeof TIMED_OUT = await withDeadline(pending, deadline);
      const ms = performance.now() - t0;
      // WASM and CPU run synchronously, so they finish before the timer can fire: judged after.
      if (out === TIMED_OUT || (deadline !== null && ms > deadline)) {
        const best = bestSoFar(entries)!;
        entries.push({ backend, ok: false, ms, error: `stopped after ${ms.toFixed(0)} ms: not ${1 / CHALLENGER_DEADLINE}x faster than ${best.backend} (${best.ms.toFixed(0)} ms)` });
        if (out === TIMED_OUT) {
          abandon(backend, c, pending);
          c = null;
        }
        continue;
      }
      const p = out.probabilities;
      if (!saneProbabilities(p)) throw new Error(`self-test gave invalid probabilities ${JSON.stringify(p)}`);
      if (reference && maxAbsDiff(p, reference.p) > AGREEMENT_TOLERANCE) throw new Error(`self-test disagrees with ${reference.backend} by ${maxAbsDiff(p, reference.p).toExponential(2)}`);
      reference ??= { backend, p };
      entries.push({ backend, ok: true, ms });
      passed.set(backend, c);
      c = null;
    } catch (e) {
      // metadata.json contradicting the graph is the model's fault on every backend: say so, do not try the next.
      if (e instanceof ModelFileError && e.kind === 'inconsistent') throw e;
      entries.push({ backend, ok: false, error: errorText(e) });
    } finally {
      c?.dispose();
    }
  }
  let backend: BackendName;
  try {
    backend = chooseBackend(entries);
  } finally {
    for (const [b, k] of passed) if (b !== backend!) k.dispose();
  }
  if (!(await activateBackend(backend))) throw new Error(`The ${backend} backend passed the self-test but cannot be activated again`);
  return { backend, entries, classifier: passed.get(backend)! };
}
