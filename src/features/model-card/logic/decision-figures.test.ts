import { describe, expect, it } from 'vitest';
import type { ModelMetadata } from '@respidetect/contract';
import { decisionRows, formatProportion, thresholdPlacementText } from './decision-figures';

const meta = {
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  decisionThreshold: 0.5,
  metrics: { accuracy: 0.8, confusionMatrix: [[9, 1], [4, 6]], argmaxConfusionMatrix: [[8, 2], [1, 9]] },
  thresholdPlacement: { placedBy: 'fallback', rule: 'fallback: 0.5 …', fallbackReason: 'validation has 13 negatives, fewer than 20: too few to place a sensitivity-first threshold', validation: { positives: 23, negatives: 13, sensitivity: 0.913, specificity: 0.769 } },
} as unknown as ModelMetadata;

describe('model card decision figures', () => {
  it('lead with the shipped threshold, then argmax, each with sensitivity, specificity, PPV, NPV', () => {
    const [shipped, argmax] = decisionRows(meta);
    expect(shipped!.label).toBe('At the shipped threshold (Adenocarcinoma if p ≥ 0.500)');
    expect([shipped!.op.sensitivity.value, shipped!.op.specificity.value, shipped!.op.ppv.successes, shipped!.op.ppv.total, shipped!.op.npv.successes, shipped!.op.npv.total]).toEqual([0.9, 0.6, 9, 13, 6, 7]);
    expect(argmax!.label).toMatch(/argmax/);
    expect(argmax!.op.specificity.value).toBe(0.9);
  });
  it('formats a rate with its interval and counts', () => {
    expect(formatProportion(decisionRows(meta)[0]!.op.sensitivity)).toMatch(/^0\.900 \(0\.\d\d–0\.\d\d; 9\/10\)$/);
    expect(formatProportion({ successes: 0, total: 0, value: 0, ci95: [0, 1] })).toBe('— (0/0)');
  });
  it('says when the fallback placed the threshold, and why', () => {
    expect(thresholdPlacementText(meta)).toBe(
      'Placed by the fallback rule, because validation has 13 negatives, fewer than 20: too few to place a sensitivity-first threshold: 0.5 on the calibrated probability (validation: 23 positive, 13 negative images; sensitivity 0.913, specificity 0.769 there).',
    );
    expect(thresholdPlacementText({ ...meta, thresholdPlacement: undefined } as ModelMetadata)).toBeNull();
  });
});
