/**
 * Probabilistic figures and temperature scaling. Probabilities come from the contract's
 * calibratedProbabilities, the same function the app runs, so a fitted temperature means the same
 * thing in evaluation and in the browser.
 */
import { calibratedProbabilities } from '../postprocess';
import { argmax } from './classification';

/** Keras clips probabilities to [1e-7, 1 - 1e-7] in categorical cross-entropy; same here, so losses compare. */
const EPS = 1e-7;

/** Mean categorical cross-entropy (natural log) of probability rows against integer labels. */
export function crossEntropy(probabilities: readonly (readonly number[])[], labels: readonly number[]): number {
  if (probabilities.length !== labels.length) throw new Error(`crossEntropy: ${probabilities.length} rows but ${labels.length} labels`);
  if (labels.length === 0) throw new Error('crossEntropy: no samples');
  let sum = 0;
  labels.forEach((y, i) => {
    const p = probabilities[i]![y];
    if (p === undefined) throw new Error(`crossEntropy: label ${y} out of range at item ${i}`);
    sum -= Math.log(Math.min(Math.max(p, EPS), 1 - EPS));
  });
  return sum / labels.length;
}

export const softmaxRows = (logits: readonly (readonly number[])[], temperature = 1): number[][] =>
  logits.map((l) => calibratedProbabilities(l, temperature));

/** Negative log-likelihood of logits at a temperature, computed with log-sum-exp (no clipping, exact). */
export function nllAtTemperature(logits: readonly (readonly number[])[], labels: readonly number[], temperature: number): number {
  let sum = 0;
  labels.forEach((y, i) => {
    const z = logits[i]!.map((v) => v / temperature);
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    sum += lse - z[y]!;
  });
  return sum / labels.length;
}

/**
 * Expected calibration error with equal-width confidence bins (Guo et al. 2017): confidence is the
 * top probability, bin b holds confidences in ((b-1)/B, b/B], and ECE = Σ_b |acc_b − conf_b| · n_b / N.
 */
export function expectedCalibrationError(probabilities: readonly (readonly number[])[], labels: readonly number[], bins = 15): number {
  if (probabilities.length !== labels.length) throw new Error(`ECE: ${probabilities.length} rows but ${labels.length} labels`);
  const n = labels.length;
  if (n === 0) throw new Error('ECE: no samples');
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  probabilities.forEach((row, i) => {
    const k = argmax(row);
    const c = row[k]!;
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]! += 1;
    conf[b]! += c;
    if (k === labels[i]) hits[b]! += 1;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(hits[b]! - conf[b]!) / n;
  return ece;
}

/**
 * The temperature T > 0 minimising validation NLL of softmax(logits / T). NLL is convex in 1/T,
 * hence unimodal in log T, so a golden-section search over log T in [1e-3, 1e3] finds the optimum
 * without gradients or a step size to tune.
 */
export function fitTemperature(logits: readonly (readonly number[])[], labels: readonly number[]): number {
  if (logits.length !== labels.length) throw new Error(`fitTemperature: ${logits.length} rows but ${labels.length} labels`);
  if (labels.length === 0) throw new Error('fitTemperature: no validation samples');
  const f = (logT: number) => nllAtTemperature(logits, labels, Math.exp(logT));
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(1e-3);
  let b = Math.log(1e3);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  // 200 iterations shrink the bracket by phi^200 ≈ 1e-42: far past float64; the tolerance ends it sooner.
  for (let i = 0; i < 200 && b - a > 1e-10; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}
