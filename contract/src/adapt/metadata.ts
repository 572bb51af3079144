/**
 * metadata.json of an adapted model: the parent's contract (classes, input, pixel preparation, OOD
 * statistics: the base and its embedding are unchanged) with a new id and hashes, the temperature
 * and threshold fitted on the adaptation's validation part, metrics from its test part, and the
 * record of where it came from. Validated with parseModelMetadata like every other model.
 */
import { parseModelMetadata, type AdaptationRecord, type ModelMetadata, type ModelMetrics } from '../metadata';
import type { ExternalFigures } from '../eval/external';
import type { ValidationCalibration } from '../eval/calibrate-on-validation';
import type { WrittenFolder } from './head';
import type { AdaptSplit } from './split';

/** Test-part figures in metadata's terms; every figure is at the adapted model's shipped rule. */
export function metricsFromFigures(f: ExternalFigures): ModelMetrics {
  const s = f.atShippedThreshold;
  return {
    accuracy: s.accuracy,
    baselineAccuracy: f.majorityBaseline.accuracy,
    ...(f.rocAuc !== null ? { rocAuc: f.rocAuc } : {}),
    ...(f.rocAucCi95 ? { rocAucCi95: f.rocAucCi95 } : {}),
    ...(Number.isFinite(s.sensitivity.value) ? { sensitivity: s.sensitivity.value } : {}),
    ...(Number.isFinite(s.specificity.value) ? { specificity: s.specificity.value } : {}),
    eceAfter: f.ece,
    confusionMatrix: s.confusionMatrix,
    argmaxConfusionMatrix: f.argmax.confusionMatrix,
    testCount: f.n,
  };
}

export function adaptedMetadata(opts: {
  parent: ModelMetadata;
  folder: WrittenFolder;
  calibration: ValidationCalibration;
  testFigures: ExternalFigures;
  split: AdaptSplit;
  adaptation: Omit<AdaptationRecord, 'note' | 'parentModelId' | 'counts'>;
  createdAt: string;
}): ModelMetadata {
  const { parent, folder, calibration, split } = opts;
  const counts = { adapt: split.counts.train, validation: split.counts.val, test: split.counts.test };
  // The parent's external validations and training-time audits describe the parent, not this model.
  const { externalValidation: _ev, thresholdPlacement: _tp, ...inherited } = parent;
  return parseModelMetadata({
    ...inherited,
    modelId: folder.modelId,
    hashes: { modelJson: folder.modelJsonSha256, weights: Object.fromEntries(folder.shards.map((s) => [s.fileName, s.sha256])) },
    datasetVersion: `${parent.datasetVersion}+adapt-${opts.adaptation.dataHash.slice(0, 12)}`,
    metrics: metricsFromFigures(opts.testFigures),
    decisionThreshold: calibration.choice.threshold,
    thresholdPlacement: calibration.placement,
    temperature: calibration.temperature,
    createdAt: opts.createdAt,
    trainingRunId: `adapt-${folder.modelId}`,
    architecture: `${parent.architecture}; head adapted locally (parent ${parent.modelId})`,
    evaluation: {
      method: 'adapted',
      validationSplit: true,
      calibrated: true,
      grouping: {
        groups: split.groups,
        exactRedundantCopies: split.exactRedundantCopies,
        nearGroups: split.nearGroups,
        nearGroupedImages: split.nearGroupedImages,
        labelConflicts: split.labelConflicts,
      },
    },
    adaptation: { note: 'adapted locally', parentModelId: parent.modelId, counts, ...opts.adaptation },
  });
}
