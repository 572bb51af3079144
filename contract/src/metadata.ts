/**
 * The model contract, part 1: what travels beside model.json (its types: metadata-types.ts).
 * Training writes it, the app and the server read it; every reader validates it with
 * `parseModelMetadata`, so a hand-edited or truncated file fails loudly, naming the field.
 */
import { NO_PREPROCESS, parsePreprocessSpec, PreprocessSpecError, type PreprocessSpec } from './source-normalise';
import { METADATA_SCHEMA_VERSION, type ModelMetadata } from './metadata-types';
import { checkMetadataConsistency } from './metadata-consistency';
import { arrayOf, bool, int, MetadataError, num, oneOf, optional, recordOf, required, sha256, shape, str, type Check } from './metadata-checks';

export * from './metadata-types';
export * from './metadata-consistency';
export { MetadataError } from './metadata-checks';

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

/**
 * Validates untrusted JSON (already parsed) and returns it typed, or throws MetadataError naming the
 * field (a wrong type or range), or a ModelFileError of kind 'inconsistent' naming the field when the
 * fields contradict one another (metadata-consistency.ts; the graph-facing checks run where the graph loads).
 */
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
  checkMetadataConsistency(m);
  return m;
}

/** The source normalisation every reader must replay for this model (none for older models). */
export function preprocessOf(meta: Pick<ModelMetadata, 'preprocess'>): PreprocessSpec {
  return meta.preprocess ?? NO_PREPROCESS;
}
