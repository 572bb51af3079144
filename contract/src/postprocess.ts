/**
 * The model contract, part 3: from the graph's logits to what a user is told. Node (evaluation,
 * parity tests) and the browser call the same functions, in float64, so a shown probability
 * means the same on both sides.
 */
import type { ModelMetadata } from './metadata';

/**
 * The graph's class output → logits and calibrated probabilities, the one reading both sides use.
 * A model with a logits output gives them directly. One with only a probabilities output gives the
 * T=1 softmax: its log equals the logits up to a constant, which softmax ignores, so temperature
 * scaling still applies exactly (Node used to skip it there, and the two sides disagreed).
 */
export function classOutput(values: ArrayLike<number>, meta: Pick<ModelMetadata, 'outputs' | 'temperature'>): { logits: number[]; probabilities: number[] } {
  const first = Array.from(values);
  const logits = meta.outputs.logits ? first : first.map((p) => Math.log(Math.max(p, 1e-30)));
  return { logits, probabilities: calibratedProbabilities(logits, meta.temperature) };
}

/** Half-width of the "uncertain" band around the decision threshold. */
export const UNCERTAIN_BAND = 0.1;

/** softmax(logits / temperature), numerically stable. */
export function calibratedProbabilities(logits: ArrayLike<number>, temperature: number): number[] {
  if (!(temperature > 0)) throw new Error(`temperature must be positive, got ${temperature}`);
  const z = Array.from(logits, (l) => l / temperature);
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export interface Decision {
  /** Index into classNames of the reported class. */
  classIndex: number;
  className: string;
  /** Calibrated probability of the reported class. */
  probability: number;
  /** Calibrated probability of metadata.positiveClass. */
  positiveProbability: number;
  /** True when positiveProbability lies within UNCERTAIN_BAND of the threshold. */
  uncertain: boolean;
}

/**
 * The threshold applies to the positive (cancer) class: at or above it the positive class is
 * reported; below it, the most probable other class. With two classes this is the usual
 * binary rule; with more it keeps the operating point chosen on validation.
 */
export function decide(probabilities: readonly number[], meta: Pick<ModelMetadata, 'classNames' | 'positiveClass' | 'decisionThreshold'>): Decision {
  const pos = meta.positiveClass;
  const positiveProbability = probabilities[pos] ?? 0;
  let classIndex = pos;
  if (positiveProbability < meta.decisionThreshold) {
    classIndex = -1;
    probabilities.forEach((p, i) => {
      if (i !== pos && (classIndex < 0 || p > probabilities[classIndex]!)) classIndex = i;
    });
  }
  return {
    classIndex,
    className: meta.classNames[classIndex]!,
    probability: probabilities[classIndex]!,
    positiveProbability,
    uncertain: Math.abs(positiveProbability - meta.decisionThreshold) < UNCERTAIN_BAND,
  };
}

/**
 * The out-of-distribution score: Mahalanobis distance of an embedding under the model's
 * probabilistic PCA. Inside the principal subspace each direction is scaled by its variance;
 * what lies outside it (the residual) by the mean discarded variance. The residual matters:
 * a photo can sit near the CT mean along the main directions and far away everywhere else.
 */
export function oodScore(embedding: ArrayLike<number>, ood: NonNullable<ModelMetadata['ood']>): number {
  const centred = Array.from(ood.mean, (m, d) => embedding[d]! - m);
  let sum = 0;
  let projected = 0;
  ood.components.forEach((component, k) => {
    let proj = 0;
    for (let d = 0; d < component.length; d++) proj += centred[d]! * component[d]!;
    sum += (proj * proj) / Math.max(ood.variances[k]!, 1e-12);
    projected += proj * proj;
  });
  if (ood.residualVariance !== undefined) {
    const total = centred.reduce((a, v) => a + v * v, 0);
    sum += Math.max(0, total - projected) / Math.max(ood.residualVariance, 1e-12);
  }
  return Math.sqrt(sum);
}

/** Class-activation maps: one row-major height × width map per class, in classNames order. */
export interface Heatmap {
  width: number;
  height: number;
  maps: number[][];
}

/**
 * The graph's heatmap output ([1, height, width, classes], channels last) → one map per class: the
 * layout the app draws and Node reports, so a parity test compares like with like.
 */
export function heatmapMaps(data: ArrayLike<number>, shape: readonly number[]): Heatmap {
  const [, height = 0, width = 0, classes = 0] = shape;
  if (shape.length !== 4 || data.length !== height * width * classes) throw new Error(`heatmap output: shape [${shape.join(', ')}] does not match ${data.length} values`);
  const maps = Array.from({ length: classes }, (_, k) => {
    const m = new Array<number>(height * width);
    for (let p = 0; p < height * width; p++) m[p] = data[p * classes + k]!;
    return m;
  });
  return { width, height, maps };
}
