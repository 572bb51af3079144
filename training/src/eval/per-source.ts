/**
 * Test figures per data.sources entry, at the shipped rule (the calibrated temperature and the
 * threshold): a model trained on several sources can be excellent on one and useless on another,
 * and one pooled AUC would hide it.
 */
import { bootstrapAucCi, calibratedProbabilities, confusionMatrix, decide, rocAuc, sensitivitySpecificity } from '@respidetect/contract';
import type { Manifest } from '../data/manifest';
import type { SplitPredictions } from './report';

export interface SourceFigures {
  n: number;
  /** Items per class, in classNames order. */
  perClass: number[];
  rocAuc: number | null;
  rocAucCi95: [number, number] | null;
  sensitivity: number | null;
  specificity: number | null;
}

export function perSourceFigures(
  manifest: Pick<Manifest, 'rows'>,
  test: SplitPredictions,
  rule: { classNames: string[]; positiveClass: number; temperature: number; decisionThreshold: number },
  bootstrap: number,
  seed: number,
): Record<string, SourceFigures> {
  const sourceOf = new Map(manifest.rows.map((r) => [r.sha256, r.source]));
  const names = [...new Set(test.sha256.map((s) => sourceOf.get(s)).filter((s): s is string => s !== undefined))].sort();
  const out: Record<string, SourceFigures> = {};
  for (const name of names) {
    const idx = test.sha256.map((s, i) => (sourceOf.get(s) === name ? i : -1)).filter((i) => i >= 0);
    const labels = idx.map((i) => test.labels[i]!);
    const probs = idx.map((i) => calibratedProbabilities(test.logits[i]!, rule.temperature));
    const positive = labels.map((y) => y === rule.positiveClass);
    const scores = probs.map((p) => p[rule.positiveClass]!);
    const both = positive.some(Boolean) && !positive.every(Boolean);
    const ci = both ? bootstrapAucCi(scores, positive, bootstrap, seed) : null;
    const cm = confusionMatrix(labels, probs.map((p) => decide(p, rule).classIndex), rule.classNames.length);
    const ss = both ? sensitivitySpecificity(cm, rule.positiveClass) : null;
    out[name] = {
      n: idx.length,
      perClass: rule.classNames.map((_, c) => labels.filter((y) => y === c).length),
      rocAuc: both ? rocAuc(scores, positive) : null,
      rocAucCi95: ci ? [ci.low, ci.high] : null,
      sensitivity: ss?.sensitivity ?? null,
      specificity: ss?.specificity ?? null,
    };
  }
  return out;
}
