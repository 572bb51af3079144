import { describe, expect, it } from 'vitest';
import { crossEntropy, expectedCalibrationError, fitTemperature, nllAtTemperature } from './calibration';

describe('calibration maths (hand-computed)', () => {
  it('cross-entropy of a coin flip is ln 2, and clips like Keras', () => {
    expect(crossEntropy([[0.5, 0.5]], [0])).toBeCloseTo(Math.LN2, 12);
    expect(crossEntropy([[1, 0]], [1])).toBeCloseTo(-Math.log(1e-7), 9);
  });

  it('ECE with 15 bins: one item per bin is the mean |correct − confidence|', () => {
    // confidences 0.9 (right), 0.8 (wrong), 0.7 (right), 0.6 (wrong): |1−.9|,|0−.8|,|1−.7|,|0−.6| → 1.8/4
    const probs = [
      [0.9, 0.1],
      [0.8, 0.2],
      [0.3, 0.7],
      [0.6, 0.4],
    ];
    expect(expectedCalibrationError(probs, [0, 1, 1, 1])).toBeCloseTo(0.45, 12);
  });

  it('ECE pools a bin before taking the gap', () => {
    // 0.9 and 0.92 share bin (13/15, 14/15]: accuracy 1/2, confidence 0.91 → 0.41 · 2/3; 0.6 right → 0.4 · 1/3
    const probs = [
      [0.9, 0.1],
      [0.08, 0.92],
      [0.6, 0.4],
    ];
    expect(expectedCalibrationError(probs, [0, 0, 0])).toBeCloseTo((0.41 * 2 + 0.4) / 3, 12);
  });

  it('temperature scaling recovers the known optimum T = z / logit(p)', () => {
    // Every item has logits [2, 0]; 3 of 4 are class 0. NLL is minimal where sigmoid(2/T) = 3/4, i.e. T = 2 / ln 3.
    const logits = [
      [2, 0],
      [2, 0],
      [2, 0],
      [2, 0],
    ];
    const labels = [0, 0, 0, 1];
    const t = fitTemperature(logits, labels);
    expect(t).toBeCloseTo(2 / Math.log(3), 6);
    expect(nllAtTemperature(logits, labels, t)).toBeLessThan(nllAtTemperature(logits, labels, 1));
  });

  it('an over-confident model gets T > 1 and an under-confident one T < 1', () => {
    const labels = [0, 0, 0, 1, 1, 1, 1, 0];
    const base = labels.map((y, i) => (i % 4 === 3 ? [y === 0 ? -1 : 1, 0] : [y === 0 ? 1 : -1, 0]));
    expect(fitTemperature(base.map(([a, b]) => [a! * 10, b!]), labels)).toBeGreaterThan(1);
    expect(fitTemperature(base.map(([a, b]) => [a! * 0.1, b!]), labels)).toBeLessThan(1);
  });

  it('nllAtTemperature matches the softmax formula', () => {
    // logits [1, 0] at T = 1, label 0: −log(e / (e + 1))
    expect(nllAtTemperature([[1, 0]], [0], 1)).toBeCloseTo(-Math.log(Math.E / (Math.E + 1)), 12);
  });
});
