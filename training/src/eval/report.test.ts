import { describe, expect, it } from 'vitest';
import { parseModelMetadata, rocCurve } from '@respidetect/contract';
import { confusionMatrixSvg, rocSvg, svgToPng } from './plots';
import { evaluatePredictions, type Predictions } from './report';
import { validMetadata } from '../../../testkit/models/metadata-fixture';
import sharp from 'sharp';

// Class 0 (adenocarcinoma) is positive. Logits are [z, 0], so p(positive) = sigmoid(z) at T = 1.
const split = (zs: number[], labels: number[]) => ({ sha256: zs.map((_, i) => String(i).padStart(64, '0')), labels, logits: zs.map((z) => [z, 0]) });
const pred: Predictions = {
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  datasetVersion: 'v1',
  trainCounts: [30, 10],
  // 4 positives; 4 + 20 negatives, so that the sensitivity-first rule may place the threshold (>= 20 negatives).
  val: split([3, 2, 1, -0.5, -2, -3, 0.5, -1, ...new Array<number>(20).fill(-4)], [0, 0, 0, 0, ...new Array<number>(24).fill(1)]),
  // test: positives 2, 1, -1 ; negatives -2, 0.5
  test: split([2, 1, -1, -2, 0.5], [0, 0, 0, 1, 1]),
};

describe('evaluation report', () => {
  const r = evaluatePredictions(pred, { minSensitivity: 0.75, bootstrap: 200, seed: 1 });

  it('reports argmax accuracy at the top level with the majority baseline beside it', () => {
    // argmax: 2 ✓, 1 ✓, -1 ✗, -2 ✓, 0.5 ✗ → 3/5 ; baseline "adenocarcinoma" (train majority) → 3/5
    expect(r.accuracy).toBeCloseTo(0.6, 12);
    expect(r.argmax.confusionMatrix).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(r.baseline.class).toBe('adenocarcinoma');
    expect(r.baseline.accuracy).toBeCloseTo(0.6, 12);
    expect(r.baseline.rocAuc).toBe(0.5);
    expect(r.baseline.specificity).toBe(0);
    // the prior 0.75/0.25 as probabilities: loss = −(3 ln .75 + 2 ln .25)/5
    expect(r.baseline.loss).toBeCloseTo(-(3 * Math.log(0.75) + 2 * Math.log(0.25)) / 5, 9);
  });

  it('fits temperature and threshold on validation only, then applies them to test', () => {
    const other = evaluatePredictions({ ...pred, test: split([5, 5, -5, -5, 5], [0, 0, 0, 1, 1]) }, { minSensitivity: 0.75, bootstrap: 50, seed: 1 });
    expect(other.calibration).toEqual(r.calibration);
    // val positives' calibrated scores: k = ceil(0.75·4) = 3 → the 3rd highest positive, i.e. logit 1.
    const T = r.calibration.temperature;
    expect(r.calibration.decisionThreshold).toBeCloseTo(1 / (1 + Math.exp(-1 / T)), 12);
    expect(r.calibration.validation.sensitivity).toBeCloseTo(0.75, 12);
    expect(r.calibration.validation.nllAfter).toBeLessThanOrEqual(r.calibration.validation.nllBefore);
    expect(r.calibration.placement).toMatchObject({ placedBy: 'min-sensitivity', fallbackReason: null, validation: { positives: 4, negatives: 24, specificity: 1 } });
    // test at that threshold: positives 2, 1 called (≥ logit 1), −1 not; negatives −2 not, 0.5 not → 4/5
    expect(r.model.confusionMatrix).toEqual([
      [2, 1],
      [0, 2],
    ]);
    expect(r.model.accuracy).toBeCloseTo(0.8, 12);
    expect(r.model.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(r.model.specificity).toBe(1);
    // called positive: 2 (both adenocarcinoma) → PPV 1; called normal: 3, of which 2 normal → NPV 2/3
    expect(r.model.ppv).toBe(1);
    expect(r.model.npv).toBeCloseTo(2 / 3, 12);
    expect(r.model.atThreshold.counts).toEqual({ tp: 2, fn: 1, fp: 0, tn: 2 });
    expect(r.model.atThreshold.sensitivity.ci95[0]).toBeLessThan(2 / 3);
  });

  it('with fewer than 20 validation negatives the threshold is the documented fallback (0.5), recorded with the reason', () => {
    const small = evaluatePredictions({ ...pred, val: split([3, 2, 1, -0.5, -2, -3, 0.5, -1], [0, 0, 0, 0, 1, 1, 1, 1]) }, { minSensitivity: 0.75, bootstrap: 50, seed: 1 });
    expect(small.calibration.decisionThreshold).toBe(0.5);
    expect(small.calibration.placement).toMatchObject({ placedBy: 'fallback', validation: { negatives: 4 } });
    expect(small.calibration.placement.fallbackReason).toMatch(/4 negatives, fewer than 20/);
    expect(small.calibration.rule).toMatch(/^fallback: 0\.5/);
    // 0.5 on calibrated probabilities of two classes is the argmax: the test figures match argmax's.
    expect(small.model.confusionMatrix).toEqual(small.argmax.confusionMatrix);
    expect(small.metrics.argmaxConfusionMatrix).toEqual(small.argmax.confusionMatrix);
  });

  it('AUC over test positives {2,1,−1} vs negatives {−2,0.5}: 5 of 6 pairs ranked right', () => {
    expect(r.model.rocAuc).toBeCloseTo(5 / 6, 12);
    expect(r.model.rocAucCi95[0]).toBeLessThanOrEqual(r.model.rocAuc);
    expect(r.model.rocAucCi95[1]).toBeGreaterThanOrEqual(r.model.rocAuc);
  });

  it('its metrics object is valid ModelMetrics inside metadata', () => {
    const meta = validMetadata({
      classNames: pred.classNames,
      metrics: r.metrics,
      decisionThreshold: r.calibration.decisionThreshold,
      thresholdPlacement: r.calibration.placement,
      temperature: r.calibration.temperature,
    });
    const parsed = parseModelMetadata(JSON.parse(JSON.stringify(meta)));
    expect(parsed.metrics.accuracy).toBe(r.accuracy);
    expect(parsed.thresholdPlacement?.placedBy).toBe('min-sensitivity');
  });

  it('names the problem in malformed predictions', () => {
    expect(() => evaluatePredictions({ ...pred, test: { ...pred.test, labels: [0, 0, 0, 1, 2] } }, { minSensitivity: 0.9, bootstrap: 10, seed: 1 })).toThrow(
      /test.labels\[4\] = 2/,
    );
    expect(() => evaluatePredictions({ ...pred, val: { ...pred.val, logits: pred.val.logits.slice(1) } }, { minSensitivity: 0.9, bootstrap: 10, seed: 1 })).toThrow(
      /val has 28 hashes, 28 labels and 27 logit rows/,
    );
  });

  it('renders the confusion matrix and ROC curve to PNGs of the drawn size', async () => {
    const cm = await sharp(await svgToPng(confusionMatrixSvg(r.model.confusionMatrix, pred.classNames, 'cm'))).metadata();
    expect([cm.format, cm.width, cm.height]).toEqual(['png', 170 + 2 * 90 + 30, 80 + 2 * 90 + 80]);
    // A long title widens the image instead of being clipped.
    expect((await sharp(await svgToPng(confusionMatrixSvg(r.model.confusionMatrix, pred.classNames, 'x'.repeat(60)))).metadata()).width).toBe(60 * 9 + 40);
    const roc = await sharp(await svgToPng(rocSvg(rocCurve([0.1, 0.9], [false, true]), 'AUC 1', 'roc'))).metadata();
    expect([roc.format, roc.width, roc.height]).toEqual(['png', 450, 470]);
  });
});
