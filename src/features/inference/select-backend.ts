/** Start-up self-test and micro-benchmark: which backend runs this model correctly and fastest here. */
import type { BackendName } from '../../config/model';
import type { DecodedPixels } from '@respidetect/contract';
import type { BenchmarkEntry } from './protocol';

/** Preference order when timings tie or are missing: GPU, then WASM, then plain JS. */
export const CANDIDATES: readonly BackendName[] = ['webgl', 'wasm', 'cpu'];

/** Timed runs per backend; a backend slower than SLOW_MS per run stops after its first. */
export const BENCH_RUNS = 3;
export const SLOW_MS = 1500;
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
  ok.sort((a, b) => a.ms! - b.ms! || CANDIDATES.indexOf(a.backend) - CANDIDATES.indexOf(b.backend));
  return ok[0]!.backend;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
