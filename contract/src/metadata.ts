/**
 * The model contract, part 1: what travels beside model.json.
 * Training writes it, the app and the server read it; every reader validates it with
 * `parseModelMetadata`, so a hand-edited or truncated file fails loudly, naming the field.
 */
import { NO_PREPROCESS, parsePreprocessSpec, PreprocessSpecError, type PreprocessSpec } from './source-normalise';

import type { ExternalValidationSummary } from './eval/external';

export const METADATA_SCHEMA_VERSION = 1;

/** The graph's input: float32 NHWC, RGB in 0..255. Normalisation lives inside the graph. */
export type PixelFormat = 'rgb-0-255';

export type WeightDtype = 'float32' | 'float16' | 'uint8';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ModelMetrics {
  /** Test-split accuracy; the split the model never trained or tuned on. */
  accuracy: number;
  loss?: number;
  /** Accuracy of always predicting the majority class, to read every figure against. */
  baselineAccuracy?: number;
  rocAuc?: number;
  rocAucCi95?: [number, number];
  sensitivity?: number;
  specificity?: number;
  eceBefore?: number;
  eceAfter?: number;
  perClass?: Record<string, ClassMetrics>;
  confusionMatrix?: number[][];
  /** Test confusion matrix when the most probable class is reported (no threshold), for the card's argmax figures. */
  argmaxConfusionMatrix?: number[][];
  testCount?: number;
  /**
   * The shortcut audit (training/src/audit): test AUC of a classifier on file-level cues only
   * (size, format, borders, brightness), on the same splits. High means the labels can be told
   * without the anatomy, so the model's own AUC proves little.
   */
  metadataOnlyRocAuc?: number;
  metadataOnlyRocAucCi95?: [number, number];
  /** The same on the frame the model receives after source normalisation. */
  metadataOnlyInputRocAuc?: number;
  /** Set when either audit AUC reaches 0.8. */
  shortcutWarning?: string;
  /** The model's test AUC with the central 60% of its input blacked out (the lungs hidden). */
  occlusionCentreMaskedRocAuc?: number;
  occlusionCentreMaskedRocAucCi95?: [number, number];
  /** The model's test AUC with only the outer 10% band of its input kept. */
  occlusionBorderOnlyRocAuc?: number;
  occlusionBorderOnlyRocAucCi95?: [number, number];
  /** Leave-one-source-out: the test split is this source, which the model never saw. */
  heldOutSource?: string;
  /** Test figures per data.sources entry, at the shipped rule. */
  perSource?: Record<string, SourceMetrics>;
}

export interface SourceMetrics {
  n: number;
  rocAuc?: number;
  rocAucCi95?: [number, number];
  sensitivity?: number;
  specificity?: number;
}

/** How decisionThreshold was placed (contract/src/eval/threshold.ts: placeThreshold), so the card can say so. */
export interface ThresholdPlacement {
  placedBy: 'min-sensitivity' | 'fallback';
  rule: string;
  /** Why the fallback was used; null when the main rule placed it. */
  fallbackReason: string | null;
  validation: { positives: number; negatives: number; sensitivity: number; specificity: number };
}

/**
 * Out-of-distribution statistics: a probabilistic-PCA Mahalanobis distance of the embedding —
 * within the K principal components, plus the residual outside them.
 */
export interface OodStats {
  /** Mean embedding, length D. */
  mean: number[];
  /** PCA components, K rows of length D. */
  components: number[][];
  /** Variance along each component, length K. */
  variances: number[];
  /** Mean variance of the discarded directions; the residual's scale. Absent: components only. */
  residualVariance?: number;
  /** Scores above this are "not a chest CT". */
  threshold: number;
}

/**
 * How the figures in `metrics` were obtained, where that matters to reading them. Optional: models
 * written before it existed still validate (read them as the pipeline's).
 */
export interface EvaluationProtocol {
  /**
   * `pipeline`: test split, temperature and threshold fitted on a separate validation split.
   * `quick`: `train --data`, one held-out part and no validation split, so no calibration (temperature 1, threshold 0.5).
   * `adapted`: the head re-trained in the browser on a lab's images (see `adaptation`); figures on that data's test part.
   */
  method: 'pipeline' | 'quick' | 'adapted';
  validationSplit: boolean;
  calibrated: boolean;
  /** The duplicate grouping behind the split (exact copies and perceptual near copies); no group is on both sides. */
  grouping?: {
    /** Groups kept (the unit that was split). */
    groups: number;
    /** Files that were byte-identical copies of another kept file. */
    exactRedundantCopies: number;
    /** Groups of two or more distinct but near-identical images, and the images they hold. */
    nearGroups: number;
    nearGroupedImages: number;
    /** Groups found under two class labels: left out. */
    labelConflicts: number;
  };
}

export interface ModelMetadata {
  schemaVersion: number;
  modelId: string;
  classNames: string[];
  /** Index into classNames of the class the threshold applies to (the cancer class). */
  positiveClass: number;
  inputSize: number;
  pixelFormat: PixelFormat;
  weightDtype: WeightDtype;
  /** sha256 hex of model.json and of each weight file, by file name. */
  hashes: { modelJson: string; weights: Record<string, string> };
  datasetVersion: string;
  metrics: ModelMetrics;
  /** Probability of positiveClass at or above which the model calls it positive. */
  decisionThreshold: number;
  /** Which rule placed decisionThreshold and why (absent in models exported before it was recorded). */
  thresholdPlacement?: ThresholdPlacement;
  /** Softmax temperature fitted on validation; logits are divided by it. */
  temperature: number;
  createdAt: string;
  trainingRunId: string;
  /** Names of the graph's outputs, so the app need not guess their order. */
  outputs: { probabilities: string; logits?: string; heatmap?: string; embedding?: string };
  ood?: OodStats;
  /**
   * Source normalisation the model was trained with (body crop, intensity). Absent in models
   * exported before it existed: those see the decoded frame as is (NO_PREPROCESS).
   */
  preprocess?: PreprocessSpec;
  evaluation?: EvaluationProtocol;
  architecture: string;
  versions: { tfjs: string; training: string };
  /** Results on labelled sets from elsewhere (`npm run validate --write-metadata`); optional, so older models still read. */
  externalValidation?: ExternalValidationSummary[];
  /** Set on a model whose head was re-trained locally on a lab's own images (the app's "Adapt to my images"). */
  adaptation?: AdaptationRecord;
}

/**
 * Where an adapted model came from. `metrics` of an adapted model are on the adaptation data's test
 * part; the parent's figures are on its own test split and are not carried over.
 */
export interface AdaptationRecord {
  note: 'adapted locally';
  parentModelId: string;
  /** sha256 over the sorted "sha256 folder" lines of every file used (the CLI validate's data hash rule). */
  dataHash: string;
  /** Distinct images per part (adapt / validation / test) and class. */
  counts: { adapt: Record<string, number>; validation: Record<string, number>; test: Record<string, number> };
  /** Files read but not used: failed to decode, or refused as not a chest CT. */
  excluded: { failed: number; refused: number };
  training: { epochs: number; bestEpoch: number; stoppedEarly: boolean; optimizer: string; learningRate: number; batchSize: number; classWeights: number[] };
  /** The parent's AUC on the same test part, at its own temperature and threshold, for the before/after reading. */
  parentTestRocAuc: number | null;
}

export class MetadataError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`metadata.json: field "${field}" ${problem}`);
    this.name = 'MetadataError';
  }
}

type Check = (value: unknown, field: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

const num: Check = (v, f) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MetadataError(f, `must be a finite number, got ${describe(v)}`);
};
const int: Check = (v, f) => {
  num(v, f);
  if (!Number.isInteger(v)) throw new MetadataError(f, `must be an integer, got ${String(v)}`);
};
const str: Check = (v, f) => {
  if (typeof v !== 'string' || v.length === 0) throw new MetadataError(f, `must be a non-empty string, got ${describe(v)}`);
};
const bool: Check = (v, f) => {
  if (typeof v !== 'boolean') throw new MetadataError(f, `must be true or false, got ${describe(v)}`);
};
const sha256: Check = (v, f) => {
  str(v, f);
  if (!/^[0-9a-f]{64}$/.test(v as string)) throw new MetadataError(f, 'must be a sha256 hex digest (64 lowercase hex characters)');
};
const oneOf =
  (...allowed: string[]): Check =>
  (v, f) => {
    if (typeof v !== 'string' || !allowed.includes(v))
      throw new MetadataError(f, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}`);
  };
const arrayOf =
  (item: Check, minLength = 0): Check =>
  (v, f) => {
    if (!Array.isArray(v)) throw new MetadataError(f, `must be an array, got ${describe(v)}`);
    if (v.length < minLength) throw new MetadataError(f, `must have at least ${minLength} entries`);
    v.forEach((x, i) => item(x, `${f}[${i}]`));
  };
const recordOf =
  (item: Check): Check =>
  (v, f) => {
    if (!isObject(v)) throw new MetadataError(f, `must be an object, got ${describe(v)}`);
    for (const [k, x] of Object.entries(v)) item(x, `${f}.${k}`);
  };
const optional =
  (c: Check): Check =>
  (v, f) => {
    if (v !== undefined) c(v, f);
  };
const shape =
  (fields: Record<string, Check>): Check =>
  (v, f) => {
    if (!isObject(v)) throw new MetadataError(f, `must be an object, got ${v === undefined ? 'nothing (missing)' : describe(v)}`);
    for (const [k, c] of Object.entries(fields)) {
      c(v[k], f ? `${f}.${k}` : k);
    }
  };
// A missing key reaches its check as `undefined`; required() turns that into "is missing".
const required =
  (c: Check): Check =>
  (v, f) => {
    if (v === undefined) throw new MetadataError(f, 'is missing');
    c(v, f);
  };

const classMetrics = shape({
  precision: required(num),
  recall: required(num),
  f1: required(num),
  support: required(int),
});

const metricsCheck = shape({
  accuracy: required(num),
  loss: optional(num),
  baselineAccuracy: optional(num),
  rocAuc: optional(num),
  rocAucCi95: optional(arrayOf(num, 2)),
  sensitivity: optional(num),
  specificity: optional(num),
  eceBefore: optional(num),
  eceAfter: optional(num),
  perClass: optional(recordOf(classMetrics)),
  confusionMatrix: optional(arrayOf(arrayOf(int))),
  argmaxConfusionMatrix: optional(arrayOf(arrayOf(int))),
  testCount: optional(int),
  metadataOnlyRocAuc: optional(num),
  metadataOnlyRocAucCi95: optional(arrayOf(num, 2)),
  metadataOnlyInputRocAuc: optional(num),
  shortcutWarning: optional(str),
  occlusionCentreMaskedRocAuc: optional(num),
  occlusionCentreMaskedRocAucCi95: optional(arrayOf(num, 2)),
  occlusionBorderOnlyRocAuc: optional(num),
  occlusionBorderOnlyRocAucCi95: optional(arrayOf(num, 2)),
  heldOutSource: optional(str),
  perSource: optional(
    recordOf(shape({ n: required(int), rocAuc: optional(num), rocAucCi95: optional(arrayOf(num, 2)), sensitivity: optional(num), specificity: optional(num) })),
  ),
});

const thresholdPlacementCheck = shape({
  placedBy: required(oneOf('min-sensitivity', 'fallback')),
  rule: required(str),
  fallbackReason: (v, f) => {
    if (v !== null) str(v, f);
  },
  validation: required(shape({ positives: required(int), negatives: required(int), sensitivity: required(num), specificity: required(num) })),
});

const oodCheck = shape({
  mean: required(arrayOf(num, 1)),
  components: required(arrayOf(arrayOf(num, 1), 1)),
  variances: required(arrayOf(num, 1)),
  residualVariance: optional(num),
  threshold: required(num),
});

const preprocessCheck: Check = (v, f) => {
  try {
    parsePreprocessSpec(v, f);
  } catch (err) {
    if (err instanceof PreprocessSpecError) throw new MetadataError(err.field, err.message.slice(err.field.length + 2));
    throw err;
  }
};
const evaluationCheck = shape({
  method: required(oneOf('pipeline', 'quick', 'adapted')),
  validationSplit: required(bool),
  calibrated: required(bool),
  grouping: optional(
    shape({
      groups: required(int),
      exactRedundantCopies: required(int),
      nearGroups: required(int),
      nearGroupedImages: required(int),
      labelConflicts: required(int),
    }),
  ),
});

const nullable =
  (c: Check): Check =>
  (v, f) => {
    if (v !== null) c(v, f);
  };

const externalValidationCheck = shape({
  name: required(str),
  date: required(str),
  datasetHash: required(str),
  nPerClass: required(recordOf(int)),
  unmapped: required(recordOf(int)),
  failed: required(int),
  rocAuc: required(nullable(num)),
  rocAucCi95: required(nullable(arrayOf(num, 2))),
  threshold: required(num),
  sensitivity: required(nullable(num)),
  specificity: required(nullable(num)),
  ppv: required(nullable(num)),
  npv: required(nullable(num)),
  refusalRate: required(nullable(num)),
  warningRate: required(nullable(num)),
  verdictRule: required(str),
});

const classCounts = recordOf(int);
const adaptationCheck = shape({
  note: required(oneOf('adapted locally')),
  parentModelId: required(str),
  dataHash: required(sha256),
  counts: required(shape({ adapt: required(classCounts), validation: required(classCounts), test: required(classCounts) })),
  excluded: required(shape({ failed: required(int), refused: required(int) })),
  training: required(
    shape({
      epochs: required(int),
      bestEpoch: required(int),
      stoppedEarly: required(bool),
      optimizer: required(str),
      learningRate: required(num),
      batchSize: required(int),
      classWeights: required(arrayOf(num)),
    }),
  ),
  parentTestRocAuc: required(nullable(num)),
});

const metadataCheck = shape({
  schemaVersion: required(int),
  modelId: required(str),
  classNames: required(arrayOf(str, 2)),
  positiveClass: required(int),
  inputSize: required(int),
  pixelFormat: required(oneOf('rgb-0-255')),
  weightDtype: required(oneOf('float32', 'float16', 'uint8')),
  hashes: required(shape({ modelJson: required(sha256), weights: required(recordOf(sha256)) })),
  datasetVersion: required(str),
  metrics: required(metricsCheck),
  decisionThreshold: required(num),
  thresholdPlacement: optional(thresholdPlacementCheck),
  temperature: required(num),
  createdAt: required(str),
  trainingRunId: required(str),
  outputs: required(
    shape({ probabilities: required(str), logits: optional(str), heatmap: optional(str), embedding: optional(str) }),
  ),
  ood: optional(oodCheck),
  preprocess: optional(preprocessCheck),
  evaluation: optional(evaluationCheck),
  architecture: required(str),
  versions: required(shape({ tfjs: required(str), training: required(str) })),
  externalValidation: optional(arrayOf(externalValidationCheck)),
  adaptation: optional(adaptationCheck),
});

/** Validates untrusted JSON (already parsed) and returns it typed, or throws MetadataError naming the field. */
export function parseModelMetadata(json: unknown): ModelMetadata {
  metadataCheck(json, '');
  const m = json as ModelMetadata;
  if (m.schemaVersion !== METADATA_SCHEMA_VERSION)
    throw new MetadataError('schemaVersion', `is ${m.schemaVersion}; this build reads version ${METADATA_SCHEMA_VERSION}`);
  if (m.positiveClass < 0 || m.positiveClass >= m.classNames.length)
    throw new MetadataError('positiveClass', `must index classNames (0..${m.classNames.length - 1})`);
  if (m.inputSize < 16 || m.inputSize > 1024) throw new MetadataError('inputSize', 'must be between 16 and 1024');
  if (m.decisionThreshold <= 0 || m.decisionThreshold >= 1)
    throw new MetadataError('decisionThreshold', 'must be strictly between 0 and 1');
  if (m.temperature <= 0) throw new MetadataError('temperature', 'must be positive');
  if (Number.isNaN(Date.parse(m.createdAt))) throw new MetadataError('createdAt', 'must be an ISO 8601 date');
  return m;
}

/** The source normalisation every reader must replay for this model (none for older models). */
export function preprocessOf(meta: Pick<ModelMetadata, 'preprocess'>): PreprocessSpec {
  return meta.preprocess ?? NO_PREPROCESS;
}
