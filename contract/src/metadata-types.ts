/**
 * The model contract, part 1: what travels beside model.json, as types. Training writes it, the app
 * and the server read it; metadata.ts validates it (parseModelMetadata) and re-exports these.
 */
import type { PreprocessSpec } from './source-normalise';
import type { ExternalValidationSummary } from './eval/external-summary';

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
