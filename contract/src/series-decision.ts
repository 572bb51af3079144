/**
 * The decision for a DICOM series (several slices of one patient scan): the rule is stated with
 * the result, because a series has no decision of its own in the model — the threshold was chosen
 * for single slices. Rule: POSITIVE if any slice's calibrated positive-class probability is at or
 * above the model's decision threshold (the max rule; a lesion shows on some slices only). With
 * many slices this raises false positives over the per-slice rate; no series-level validation
 * exists for it, and the summary says how many slices decided it.
 */
import type { ModelMetadata } from './metadata';

export interface SeriesDecision {
  positive: boolean;
  /** Class reported for the series: the positive class, or "not <positive class>" (no single other class). */
  label: string;
  /** Slices at or above the threshold, of all scored slices. */
  slicesAtOrAbove: number;
  slices: number;
  rule: string;
}

export function seriesRule(meta: Pick<ModelMetadata, 'classNames' | 'positiveClass' | 'decisionThreshold'>): string {
  return `positive (${meta.classNames[meta.positiveClass]}) if any slice's probability is at or above the model's threshold ${meta.decisionThreshold.toFixed(3)}`;
}

export function decideSeries(positiveProbabilities: readonly number[], meta: Pick<ModelMetadata, 'classNames' | 'positiveClass' | 'decisionThreshold'>): SeriesDecision {
  if (positiveProbabilities.length === 0) throw new Error('decideSeries: a series needs at least one scored slice');
  const above = positiveProbabilities.filter((p) => p >= meta.decisionThreshold).length;
  const pos = meta.classNames[meta.positiveClass]!;
  return { positive: above > 0, label: above > 0 ? pos : `not ${pos}`, slicesAtOrAbove: above, slices: positiveProbabilities.length, rule: seriesRule(meta) };
}

/** The scores of several slices, summarised: the highest (and the first slice that has it) and the mean. */
export interface SliceSummary {
  max: number;
  mean: number;
  /** Index into the scores of the first slice with the highest score. */
  top: number;
}

/** One reading of a multi-slice file or a series' slice scores, for the worker's results and the page's series. */
export function summariseSlices(positiveProbabilities: readonly number[]): SliceSummary {
  if (positiveProbabilities.length === 0) throw new Error('summariseSlices: no scored slice');
  const max = Math.max(...positiveProbabilities);
  return { max, mean: positiveProbabilities.reduce((a, b) => a + b, 0) / positiveProbabilities.length, top: positiveProbabilities.indexOf(max) };
}
