/** Start-up self-test policy (pure): which backends to probe, when to stop one, which one wins. The worker runs it (self-test.ts). */
import { BACKENDS, type BackendName } from '../../config/model';
import type { DecodedPixels } from '@respidetect/contract';
import type { BenchmarkEntry } from '../../lib/worker-protocol/messages';

/** Preference when timings tie: GPU, then WASM, then plain JS (the order of config's BACKENDS). */
export const PREFERENCE: readonly BackendName[] = BACKENDS;

/**
 * The order candidates are probed in. WASM first: it works almost everywhere, its time is
 * predictable, and it becomes the reference the others must agree with and beat. Each later
 * candidate then runs against a deadline derived from the best so far, so a slow one (SwiftShader
 * WebGL: ~10 s a slice at 224 px) costs a fraction of the winner's time, not its own.
 */
export const PROBE_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/**
 * A challenger must finish its one probe inference within this fraction of the best probe so far,
 * or it is stopped and recorded as slower. 0.5 keeps the self-test within ~1.5× one inference on
 * the winner when WASM wins (its probe plus at most half of it for the challengers that lose); a
 * GPU backend that is faster but not twice as fast on a cold run is passed over, which costs less
 * than timing it to the end would on the machines where it is slow.
 */
export const CHALLENGER_DEADLINE = 0.5;

/**
 * Whether to probe `backend` at all, given the entries so far. Plain-JS CPU is the last resort,
 * probed only when nothing passed: it is 10-50x slower than WASM, and it runs synchronously, so
 * its probe could not be stopped at the deadline (at 224 px it would cost a minute).
 */
export function shouldProbe(backend: BackendName, entries: readonly BenchmarkEntry[]): boolean {
  return backend !== 'cpu' || bestSoFar(entries) === null;
}

/**
 * A WebGL renderer that is software (SwiftShader, llvmpipe): a GPU emulated on the same cores WASM
 * uses, ~10x slower than WASM there (bench:app: 686 vs 61 ms a slice at 32 px). Once WASM passed
 * it is not probed: its shader compilation runs synchronously in tfjs, so its probe cannot be
 * stopped at the deadline and costs seconds. It stays a candidate where WASM fails.
 */
export const isSoftwareRenderer = (renderer: string | null): boolean => renderer !== null && /swiftshader|llvmpipe|softpipe|software/i.test(renderer);

export function skipSoftwareWebgl(renderer: string | null, entries: readonly BenchmarkEntry[]): boolean {
  return isSoftwareRenderer(renderer) && entries.some((e) => e.backend === 'wasm' && e.ok);
}

/** The fastest passed probe so far, or null. */
export function bestSoFar(entries: readonly BenchmarkEntry[]): (BenchmarkEntry & { ms: number }) | null {
  let best: (BenchmarkEntry & { ms: number }) | null = null;
  for (const e of entries) if (e.ok && e.ms !== undefined && (!best || e.ms < best.ms)) best = { ...e, ms: e.ms };
  return best;
}

/** The time after which a probe is stopped: a fraction of the best passed probe so far; null for the first. */
export function probeDeadlineMs(entries: readonly BenchmarkEntry[]): number | null {
  const best = bestSoFar(entries);
  return best ? best.ms * CHALLENGER_DEADLINE : null;
}

/** Two correct backends agree on a probability to within this (float16 weights, GPU float maths). */
export const AGREEMENT_TOLERANCE = 1e-2;

/** A deterministic, non-trivial probe image: gradients in each channel, so every filter sees signal. */
export function probeImage(size: number): DecodedPixels {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = (x * 255) / size;
      data[i + 1] = (y * 255) / size;
      data[i + 2] = ((x ^ y) * 7) & 255;
    }
  return { data, width: size, height: size, channels: 3 };
}

/** Probabilities that are finite and sum to one. */
export function saneProbabilities(p: readonly number[]): boolean {
  const sum = p.reduce((a, b) => a + b, 0);
  return p.length > 0 && p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3;
}

export const maxAbsDiff = (a: readonly number[], b: readonly number[]): number =>
  a.length !== b.length ? Infinity : Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/** The fastest backend that passed; throws, listing each failure, when none did. */
export function chooseBackend(entries: readonly BenchmarkEntry[]): BackendName {
  const ok = entries.filter((e) => e.ok && e.ms !== undefined);
  if (ok.length === 0)
    throw new Error(`No tfjs backend works in this browser: ${entries.map((e) => `${e.backend}: ${e.error ?? 'failed'}`).join('; ')}`);
  ok.sort((a, b) => a.ms! - b.ms! || PREFERENCE.indexOf(a.backend) - PREFERENCE.indexOf(b.backend));
  return ok[0]!.backend;
}
