/**
 * From the head's logits to every reported figure. Validation is used only to fit (temperature,
 * threshold); every reported figure is on the test split, with the majority-class baseline beside it.
 */
import type { Occlusion } from '../audit/occlusion';
import { decide, type ClassMetrics, type ModelMetrics, accuracyOf, argmax, confusionMatrix, majorityClass, perClassMetrics, sensitivitySpecificity, crossEntropy, expectedCalibrationError, nllAtTemperature, softmaxRows, bootstrapAucCi, rocAuc, rocCurve, type RocPoint, calibrateOnValidation, type ThresholdPlacement, binaryFigures, type BinaryFigures } from '@respidetect/contract';

export interface SplitPredictions {
  sha256: string[];
  labels: number[];
  /** Pre-softmax outputs of the head, one row per item. */
  logits: number[][];
}

/** artifacts/predictions.json, written by the train stage. */
export interface Predictions {
  classNames: string[];
  positiveClass: number;
  datasetVersion: string;
  /** Items per class in the training split: the majority baseline's prior. */
  trainCounts: number[];
  val: SplitPredictions;
  test: SplitPredictions;
  /** The test split again with the lungs hidden or only the border kept (audit/occlusion.ts); absent in older runs. */
  occlusion?: Partial<Record<Occlusion, SplitPredictions>>;
}

export interface EvaluateOptions {
  minSensitivity: number;
  bootstrap: number;
  seed: number;
}

/** The figures reported for one predictor on the test split. */
export interface Figures {
  accuracy: number;
  loss: number;
  perClass: Record<string, ClassMetrics>;
  sensitivity: number;
  specificity: number;
  /** Positive and negative predictive value at the test split's prevalence. */
  ppv: number;
  npv: number;
  /** The same four figures with counts and Wilson 95% intervals (the contract's binaryFigures, as validate reports them). */
  atThreshold: BinaryFigures;
  rocAuc: number;
  ece: number;
  confusionMatrix: number[][];
}

/** Hard-decision figures of one decision rule. */
export interface DecisionFigures {
  accuracy: number;
  sensitivity: number;
  specificity: number;
  perClass: Record<string, ClassMetrics>;
  confusionMatrix: number[][];
}

export interface EvaluationReport {
  /** Test accuracy of the most probable class (the conventional figure, independent of the threshold rule). */
  accuracy: number;
  /** In the shape of the contract's ModelMetrics, for the exporter to copy into metadata.json; see `definitions`. */
  metrics: ModelMetrics;
  definitions: Record<string, string>;
  /** Figures at the shipped decision rule: calibrated probabilities, positive class at or above the threshold. */
  model: Figures & { lossCalibrated: number; eceCalibrated: number; rocAucCi95: [number, number] };
  /** Figures when the most probable class is reported (no threshold). */
  argmax: DecisionFigures;
  /** Always answer the training split's majority class, with the training prior as probabilities. */
  baseline: Figures & { class: string };
  calibration: {
    temperature: number;
    decisionThreshold: number;
    rule: string;
    /** Which rule placed the threshold (the sensitivity-first rule, or the documented fallback) and why. */
    placement: ThresholdPlacement;
    validation: { count: number; nllBefore: number; nllAfter: number; sensitivity: number; specificity: number };
  };
  classNames: string[];
  positiveClass: number;
  datasetVersion: string;
  test: { count: number; bootstrapResamples: number };
  roc: { model: RocPoint[] };
}

function checkSplit(name: string, s: SplitPredictions, k: number): void {
  if (s.labels.length === 0) throw new Error(`predictions.json: the ${name} split is empty`);
  if (s.logits.length !== s.labels.length || s.sha256.length !== s.labels.length)
    throw new Error(`predictions.json: ${name} has ${s.sha256.length} hashes, ${s.labels.length} labels and ${s.logits.length} logit rows; they must match`);
  s.logits.forEach((row, i) => {
    if (row.length !== k || row.some((v) => !Number.isFinite(v)))
      throw new Error(`predictions.json: ${name}.logits[${i}] must be ${k} finite numbers`);
  });
  s.labels.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new Error(`predictions.json: ${name}.labels[${i}] = ${y} is not a class index 0..${k - 1}`);
  });
}

function figures(probs: number[][], decisions: number[], labels: number[], classNames: string[], positive: number): Figures {
  const cm = confusionMatrix(labels, decisions, classNames.length);
  const isPos = labels.map((y) => y === positive);
  const atThreshold = binaryFigures(cm, positive);
  return {
    accuracy: accuracyOf(cm),
    loss: crossEntropy(probs, labels),
    perClass: perClassMetrics(cm, classNames),
    sensitivity: atThreshold.sensitivity.value,
    specificity: atThreshold.specificity.value,
    ppv: atThreshold.ppv.value,
    npv: atThreshold.npv.value,
    atThreshold,
    rocAuc: rocAuc(
      probs.map((p) => p[positive]!),
      isPos,
    ),
    ece: expectedCalibrationError(probs, labels),
    confusionMatrix: cm,
  };
}

export function evaluatePredictions(pred: Predictions, opts: EvaluateOptions): EvaluationReport {
  const { classNames, positiveClass: positive } = pred;
  const k = classNames.length;
  if (k < 2) throw new Error('predictions.json: needs at least two classNames');
  if (!(positive >= 0 && positive < k)) throw new Error(`predictions.json: positiveClass ${positive} is not a class index`);
  checkSplit('val', pred.val, k);
  checkSplit('test', pred.test, k);

  // Fit on validation only: temperature, then the sensitivity-first threshold (with the documented
  // fallback when validation is too small or the rule too costly). The browser's adaptation calls the same.
  const { temperature, choice, placement } = calibrateOnValidation(pred.val.logits, pred.val.labels, positive, opts.minSensitivity);

  // Report on test.
  const { labels } = pred.test;
  const rawProbs = softmaxRows(pred.test.logits, 1);
  const calProbs = softmaxRows(pred.test.logits, temperature);
  const meta = { classNames, positiveClass: positive, decisionThreshold: choice.threshold };
  const decisions = calProbs.map((p) => decide(p, meta).classIndex);
  const model = figures(calProbs, decisions, labels, classNames, positive);
  const isPos = labels.map((y) => y === positive);
  const posScores = calProbs.map((p) => p[positive]!);
  const ci = bootstrapAucCi(posScores, isPos, opts.bootstrap, opts.seed);
  const argmaxCm = confusionMatrix(labels, rawProbs.map(argmax), k);
  const argmaxFigures: DecisionFigures = {
    accuracy: accuracyOf(argmaxCm),
    ...sensitivitySpecificity(argmaxCm, positive),
    perClass: perClassMetrics(argmaxCm, classNames),
    confusionMatrix: argmaxCm,
  };
  const rawLoss = crossEntropy(rawProbs, labels);
  const rawEce = expectedCalibrationError(rawProbs, labels);

  const total = pred.trainCounts.reduce((a, b) => a + b, 0);
  if (pred.trainCounts.length !== k || total === 0) throw new Error('predictions.json: trainCounts must give one positive count per class');
  const majority = majorityClass(
    pred.trainCounts.flatMap((n, c) => new Array<number>(n).fill(c)),
    k,
  );
  const prior = pred.trainCounts.map((n) => n / total);
  const baseline = figures(
    labels.map(() => prior),
    labels.map(() => majority),
    labels,
    classNames,
    positive,
  );

  const metrics: ModelMetrics = {
    accuracy: argmaxFigures.accuracy,
    loss: rawLoss,
    baselineAccuracy: baseline.accuracy,
    rocAuc: model.rocAuc,
    rocAucCi95: [ci.low, ci.high],
    sensitivity: model.sensitivity,
    specificity: model.specificity,
    eceBefore: rawEce,
    eceAfter: model.ece,
    perClass: model.perClass,
    confusionMatrix: model.confusionMatrix,
    argmaxConfusionMatrix: argmaxFigures.confusionMatrix,
    testCount: labels.length,
  };

  return {
    accuracy: argmaxFigures.accuracy,
    metrics,
    definitions: {
      split: 'every figure is on the test split; validation was used only to fit the temperature and the threshold',
      accuracy: 'most probable class (argmax), as conventionally reported; model.accuracy is the accuracy at the shipped threshold',
      'metrics.sensitivity/specificity/perClass/confusionMatrix': `at the shipped decision rule (temperature-scaled probabilities, ${classNames[positive]} at or above decisionThreshold)`,
      'metrics.loss': 'mean cross-entropy of the uncalibrated softmax (T = 1)',
      'metrics.eceBefore/eceAfter': 'expected calibration error, 15 equal-width bins, before/after temperature scaling',
      'metrics.rocAucCi95': `percentile bootstrap over test items, ${opts.bootstrap} resamples, seed ${opts.seed}`,
      'model.atThreshold': 'sensitivity, specificity, PPV and NPV at the shipped rule with counts and Wilson 95% intervals; PPV/NPV hold at the test split\'s prevalence only',
      baseline: 'always the training split\'s majority class, with the training class prior as its probabilities',
      'metrics.argmaxConfusionMatrix': 'test confusion matrix when the most probable class is reported (uncalibrated argmax, no threshold)',
      'calibration.placement': 'which rule placed the threshold: the sensitivity-first rule, or the fallback (0.5) when validation has < 20 negatives or the rule gives validation specificity < 0.5',
    },
    model: {
      ...model,
      // `loss` and `ece` of the shipped model are reported uncalibrated (as trained), the calibrated ones beside them.
      loss: rawLoss,
      ece: rawEce,
      lossCalibrated: model.loss,
      eceCalibrated: model.ece,
      rocAucCi95: [ci.low, ci.high],
    },
    argmax: argmaxFigures,
    baseline: { ...baseline, class: classNames[majority]! },
    calibration: {
      temperature,
      decisionThreshold: choice.threshold,
      rule: choice.rule,
      placement,
      validation: {
        count: pred.val.labels.length,
        nllBefore: nllAtTemperature(pred.val.logits, pred.val.labels, 1),
        nllAfter: nllAtTemperature(pred.val.logits, pred.val.labels, temperature),
        sensitivity: choice.validationSensitivity,
        specificity: choice.validationSpecificity,
      },
    },
    classNames,
    positiveClass: positive,
    datasetVersion: pred.datasetVersion,
    test: { count: labels.length, bootstrapResamples: ci.resamples },
    roc: { model: rocCurve(posScores, isPos) },
  };
}
