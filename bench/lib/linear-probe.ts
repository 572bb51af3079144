/**
 * A linear probe on frozen features, judged by the project's rules: training's L2 logistic
 * regression (standardised on the training part), then the pipeline's validation-only step
 * (contract calibrateOnValidation: softmax temperature, then the highest threshold keeping
 * validation sensitivity ≥ evaluate.min_sensitivity, with its documented fallback), then on each
 * test set the ROC-AUC with the contract's seeded bootstrap CI and sensitivity/specificity (Wilson
 * CIs) at that shipped threshold, beside the majority baseline (always the training majority class).
 */
import { accuracyOf, binaryFigures, bootstrapAucCi, calibrateOnValidation, confusionMatrix, rocAuc, softmaxRows, type Proportion } from '@respidetect/contract';
import { fitLogistic, logisticScore } from '../../training/src/audit/logistic';
import { DEFAULT_PARAMS } from '../../training/src/config/params';

export interface Part {
  x: number[][];
  /** true: the positive (cancer) class. */
  y: boolean[];
}

export interface TestFigures {
  n: number;
  positives: number;
  rocAuc: number | null;
  ci95: [number, number] | null;
  atThreshold: { sensitivity: Proportion; specificity: Proportion; accuracy: number };
  /** Accuracy of always answering the training majority class (its AUC is 0.5 by definition). */
  majorityAccuracy: number;
}

export interface ProbeResult {
  l2: number;
  trainN: number;
  valN: number;
  temperature: number;
  threshold: number;
  placedBy: 'min-sensitivity' | 'fallback';
  fallbackReason: string | null;
  validation: { sensitivity: number; specificity: number };
  majorityClass: 'cancer' | 'normal';
  tests: Record<string, TestFigures>;
}

const r3 = (v: number) => +v.toFixed(3);
const prop = (p: Proportion): Proportion => ({ ...p, value: r3(p.value), ci95: [r3(p.ci95[0]), r3(p.ci95[1])] });

/** AUC with its CI, or nulls when a set holds one class only (no ROC curve exists). */
export function aucWithCi(scores: number[], y: boolean[]): { rocAuc: number | null; ci95: [number, number] | null } {
  if (!y.some(Boolean) || y.every(Boolean)) return { rocAuc: null, ci95: null };
  const ci = bootstrapAucCi(scores, y, DEFAULT_PARAMS.evaluate.bootstrap, 42);
  return { rocAuc: r3(rocAuc(scores, y)), ci95: [r3(ci.low), r3(ci.high)] };
}

export function linearProbe(train: Part, val: Part, tests: Record<string, Part>, l2 = 1): ProbeResult {
  const model = fitLogistic(train.x, train.y, l2);
  // Two-class logits [0, s]: softmax gives the logistic probability, so the pipeline's temperature
  // and threshold rule apply unchanged. The AUC ranks by s itself (no ties where p rounds to 1).
  const logits = (x: number[][]) => logisticScore(model, x).map((s) => [0, s]);
  const cal = calibrateOnValidation(logits(val.x), val.y.map(Number), 1, DEFAULT_PARAMS.evaluate.min_sensitivity);
  const majorityPositive = 2 * train.y.filter(Boolean).length >= train.y.length;
  const figures = (t: Part): TestFigures => {
    const z = logits(t.x);
    const p = softmaxRows(z, cal.temperature).map((r) => r[1]!);
    const cm = confusionMatrix(t.y.map(Number), p.map((v) => Number(v >= cal.choice.threshold)), 2);
    const b = binaryFigures(cm, 1);
    const positives = t.y.filter(Boolean).length;
    return {
      n: t.y.length,
      positives,
      ...aucWithCi(
        z.map((r) => r[1]!),
        t.y,
      ),
      atThreshold: { sensitivity: prop(b.sensitivity), specificity: prop(b.specificity), accuracy: r3(accuracyOf(cm)) },
      majorityAccuracy: r3((majorityPositive ? positives : t.y.length - positives) / t.y.length),
    };
  };
  return {
    l2,
    trainN: train.y.length,
    valN: val.y.length,
    temperature: r3(cal.temperature),
    threshold: cal.choice.threshold,
    placedBy: cal.choice.placedBy,
    fallbackReason: cal.choice.fallbackReason,
    validation: { sensitivity: r3(cal.choice.validationSensitivity), specificity: r3(cal.choice.validationSpecificity) },
    majorityClass: majorityPositive ? 'cancer' : 'normal',
    tests: Object.fromEntries(Object.entries(tests).map(([k, t]) => [k, figures(t)])),
  };
}
