/**
 * The two things fitted on the validation split and nothing else: the softmax temperature and the
 * decision threshold (sensitivity-first rule with its documented fallback). The pipeline's evaluate
 * (training/src/eval/report.ts) and the browser's adaptation both call this, so a model made either
 * way is calibrated by one rule.
 */
import type { ThresholdPlacement } from '../metadata';
import { fitTemperature, softmaxRows } from './calibration';
import { placeThreshold, type ThresholdChoice } from './threshold';

export interface ValidationCalibration {
  temperature: number;
  choice: ThresholdChoice;
  /** The choice as metadata.json records it. */
  placement: ThresholdPlacement;
}

export function calibrateOnValidation(logits: readonly (readonly number[])[], labels: readonly number[], positive: number, minSensitivity: number): ValidationCalibration {
  const temperature = fitTemperature(logits, labels);
  const probs = softmaxRows(logits, temperature);
  const choice = placeThreshold(
    probs.map((p) => p[positive]!),
    labels.map((y) => y === positive),
    minSensitivity,
  );
  return {
    temperature,
    choice,
    placement: {
      placedBy: choice.placedBy,
      rule: choice.rule,
      fallbackReason: choice.fallbackReason,
      validation: { positives: choice.validationPositives, negatives: choice.validationNegatives, sensitivity: choice.validationSensitivity, specificity: choice.validationSpecificity },
    },
  };
}
