import { describe, expect, it } from 'vitest';
import { oodVerdict } from './ood-verdict';

const ood = { mean: [0], components: [[1]], variances: [1], threshold: 3 };

describe('oodVerdict: the embedding rule in one place', () => {
  it('refuses above the threshold with the score and threshold in the reason', () => {
    const v = oodVerdict(3.5, { ood });
    expect(v.outcome).toBe('refused');
    expect(v.reason).toMatch(/Not a chest CT.*3\.50.*3\.00/);
  });
  it('accepts at or below the threshold', () => {
    expect(oodVerdict(3, { ood }).outcome).toBe('accepted');
  });
  it('accepts and says so when the model has no OOD statistics or no score', () => {
    expect(oodVerdict(99, {}).rule).toMatch(/not applied/);
    expect(oodVerdict(null, { ood }).outcome).toBe('accepted');
  });
});
