/**
 * The quick model's figures on its held-out part, computed with the contract's evaluation maths
 * at the decision rule it ships (threshold on the positive class, no calibration), beside the
 * majority-class baseline, with n per class and whether that n is enough to conclude anything.
 */
import {
  accuracyOf,
  argmax,
  bootstrapAucCi,
  classesTooSmallToConclude,
  confusionMatrix,
  decide,
  majorityClass,
  perClassMetrics,
  rocAuc,
  sensitivitySpecificity,
  type ModelMetrics,
  type SmallClass,
} from '@respidetect/contract';

export interface HeldOutFigures {
  /** For metadata.json, in the pipeline's shape: `accuracy` is argmax; sensitivity, specificity, perClass and confusionMatrix are at the threshold. */
  metrics: ModelMetrics;
  atThreshold: { threshold: number; accuracy: number; sensitivity: number; specificity: number };
  argmaxAccuracy: number;
  /** Always the training part's majority class. */
  baseline: { class: string; accuracy: number; sensitivity: number; specificity: number };
  n: number;
  perClassN: Record<string, number>;
  /** Classes with fewer held-out images than MIN_PER_CLASS_TO_CONCLUDE. */
  tooSmall: SmallClass[];
}

export interface HeldOutInput {
  classNames: string[];
  positiveClass: number;
  decisionThreshold: number;
  /** Softmax outputs, one row per held-out image. */
  probabilities: number[][];
  labels: number[];
  trainLabels: number[];
  bootstrap: number;
  seed: number;
}

export function heldOutFigures(input: HeldOutInput): HeldOutFigures {
  const { classNames, positiveClass: positive, labels, probabilities } = input;
  const k = classNames.length;
  if (labels.length === 0) throw new Error('the held-out part is empty: there is nothing to report');
  const decisions = probabilities.map((p) => decide(p, { classNames, positiveClass: positive, decisionThreshold: input.decisionThreshold }).classIndex);
  const cm = confusionMatrix(labels, decisions, k);
  const argmaxCm = confusionMatrix(labels, probabilities.map(argmax), k);
  const isPos = labels.map((y) => y === positive);
  const scores = probabilities.map((p) => p[positive]!);
  // AUC needs both outcomes among the held-out images.
  const hasBoth = isPos.some(Boolean) && isPos.some((v) => !v);
  const auc = hasBoth ? rocAuc(scores, isPos) : undefined;
  const ci = hasBoth && input.bootstrap > 0 ? bootstrapAucCi(scores, isPos, input.bootstrap, input.seed) : undefined;
  const majority = majorityClass(input.trainLabels, k);
  const baselineCm = confusionMatrix(
    labels,
    labels.map(() => majority),
    k,
  );
  const atThreshold = { threshold: input.decisionThreshold, accuracy: accuracyOf(cm), ...sensitivitySpecificity(cm, positive) };
  const baselineAccuracy = accuracyOf(baselineCm);
  const metrics: ModelMetrics = {
    accuracy: accuracyOf(argmaxCm),
    baselineAccuracy,
    ...(auc !== undefined ? { rocAuc: auc } : {}),
    ...(ci ? { rocAucCi95: [ci.low, ci.high] as [number, number] } : {}),
    sensitivity: atThreshold.sensitivity,
    specificity: atThreshold.specificity,
    perClass: perClassMetrics(cm, classNames),
    confusionMatrix: cm,
    testCount: labels.length,
  };
  const perClassN = Object.fromEntries(classNames.map((c, i) => [c, labels.filter((y) => y === i).length]));
  return {
    metrics,
    atThreshold,
    argmaxAccuracy: metrics.accuracy,
    baseline: { class: classNames[majority]!, accuracy: baselineAccuracy, ...sensitivitySpecificity(baselineCm, positive) },
    n: labels.length,
    perClassN,
    tooSmall: classesTooSmallToConclude({ classNames, metrics }) ?? [],
  };
}
