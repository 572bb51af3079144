import { describe, expect, it } from 'vitest';
import { calibratedProbabilities, classOutput, decide, heatmapMaps, oodScore, UNCERTAIN_BAND } from './postprocess';
import { canonicalClassId, positiveClassIndex } from './classes';

describe('post-processing', () => {
  it('heatmapMaps: channels-last [1, h, w, classes] → one row-major map per class; a wrong length is an error', () => {
    // 2 × 3 pixels, 2 classes: class k at pixel p holds 10·p + k.
    const data = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    expect(heatmapMaps(data, [1, 2, 3, 2])).toEqual({ width: 3, height: 2, maps: [[0, 10, 20, 30, 40, 50], [1, 11, 21, 31, 41, 51]] });
    expect(() => heatmapMaps(data, [1, 2, 2, 2])).toThrow(/does not match 12 values/);
  });


  it('classOutput: a probabilities-only output gets the same temperature scaling as a logits output', () => {
    const logits = [2.0, -0.5, 0.25];
    const temperature = 2.5;
    const softmaxT1 = calibratedProbabilities(logits, 1);
    const fromLogits = classOutput(logits, { outputs: { logits: 'logits' } as never, temperature });
    const fromProbabilities = classOutput(softmaxT1, { outputs: { probabilities: 'probabilities' } as never, temperature });
    expect(fromLogits.probabilities).toEqual(calibratedProbabilities(logits, temperature));
    for (let k = 0; k < logits.length; k++) expect(fromProbabilities.probabilities[k]).toBeCloseTo(fromLogits.probabilities[k]!, 12);
    // The calibrated probabilities are not the raw T=1 ones: skipping the temperature (Node's old reading) is caught.
    expect(Math.abs(fromProbabilities.probabilities[0]! - softmaxT1[0]!)).toBeGreaterThan(0.05);
  });

  it('temperature softmax: T=1 is softmax, larger T flattens, huge logits stay finite', () => {
    const p = calibratedProbabilities([2, 0], 1);
    expect(p[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1), 12);
    const flat = calibratedProbabilities([2, 0], 4);
    expect(flat[0]).toBeLessThan(p[0]!);
    expect(flat[0]).toBeGreaterThan(0.5);
    const big = calibratedProbabilities([1000, 0, -1000], 1);
    expect(big).toEqual([1, 0, 0]);
    expect(() => calibratedProbabilities([1, 2], 0)).toThrow(/temperature must be positive/);
  });

  it('the threshold applies to the positive class; the band marks uncertainty', () => {
    const meta = { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, decisionThreshold: 0.3 };
    expect(decide([0.35, 0.65], meta)).toMatchObject({ className: 'adenocarcinoma', probability: 0.35, uncertain: true });
    expect(decide([0.1, 0.9], meta)).toMatchObject({ className: 'normal', probability: 0.9, uncertain: false });
    expect(decide([0.3 + UNCERTAIN_BAND + 0.01, 0.59], meta).uncertain).toBe(false);
    const four = { classNames: ['adenocarcinoma', 'large_cell_carcinoma', 'normal', 'squamous_cell_carcinoma'], positiveClass: 0, decisionThreshold: 0.5 };
    expect(decide([0.2, 0.1, 0.3, 0.4], four).className).toBe('squamous_cell_carcinoma');
  });

  it('OOD score is the Mahalanobis distance in the PCA space', () => {
    const ood = { mean: [1, 1], components: [[1, 0], [0, 1]], variances: [4, 1], threshold: 3 };
    expect(oodScore([1, 1], ood)).toBe(0);
    expect(oodScore([3, 1], ood)).toBeCloseTo(1, 12);
    expect(oodScore([1, 4], ood)).toBeCloseTo(3, 12);
    // One component kept; the other direction is residual with variance 0.25.
    const ppca = { mean: [0, 0], components: [[1, 0]], variances: [4], residualVariance: 0.25, threshold: 3 };
    expect(oodScore([2, 0], ppca)).toBeCloseTo(1, 12);
    expect(oodScore([0, 1], ppca)).toBeCloseTo(2, 12);
    expect(oodScore([2, 1], ppca)).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('class ids from the Kaggle folder names', () => {
    expect(canonicalClassId('adenocarcinoma_left.lower.lobe_T2_N0_M0_Ib')).toBe('adenocarcinoma');
    expect(canonicalClassId('large.cell.carcinoma_left.hilum_T2_N2_M0_IIIa')).toBe('large_cell_carcinoma');
    expect(canonicalClassId('squamous.cell.carcinoma')).toBe('squamous_cell_carcinoma');
    expect(canonicalClassId('large_cell_carcinoma')).toBe('large_cell_carcinoma');
    expect(canonicalClassId('Normal')).toBe('normal');
    expect(positiveClassIndex(['adenocarcinoma', 'normal'])).toBe(0);
    expect(positiveClassIndex(['normal', 'squamous_cell_carcinoma'])).toBe(1);
  });
});
