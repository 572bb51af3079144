import { describe, expect, it } from 'vitest';
import { assessInput, unlikeTrainingData } from './assess';

const ood = { mean: [0], components: [[1]], variances: [1], threshold: 3 };

describe('assessInput: one refusal, one warning', () => {
  it('a not-CT verdict is a refusal whatever the OOD score, and carries the reason', () => {
    expect(assessInput({ ok: false, reason: 'colour image: 40% of pixels are coloured' }, 0.1, { ood })).toEqual({
      kind: 'refused',
      rule: 'not-chest-ct',
      reason: 'colour image: 40% of pixels are coloured',
      message: 'Not a chest CT: colour image: 40% of pixels are coloured',
    });
  });

  it('a CT above the OOD threshold is classified with a warning stating score and threshold', () => {
    const a = assessInput({ ok: true }, 4.5, { ood });
    expect(a).toEqual({
      kind: 'ok',
      warning: { rule: 'unlike-training-data', score: 4.5, threshold: 3, message: 'Chest CT unlike this model\u2019s training data: OOD score 4.50 > threshold 3.00' },
    });
  });

  it('at or below the threshold, without OOD statistics, or without a score: no warning', () => {
    expect(assessInput({ ok: true }, 3, { ood })).toEqual({ kind: 'ok', warning: null });
    expect(assessInput({ ok: true }, 99, {})).toEqual({ kind: 'ok', warning: null });
    expect(assessInput({ ok: true }, null, { ood })).toEqual({ kind: 'ok', warning: null });
    expect(unlikeTrainingData(3.0001, { ood })).toBe(true);
  });
});
