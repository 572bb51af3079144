import { describe, expect, it } from 'vitest';
import { externalReport, externalValidationSummary, type ExternalItem, type ExternalReportInput } from './external';
import { parseModelMetadata } from '../metadata';
import { validMetadata } from '../../../testkit/models/metadata-fixture';

const meta = {
  modelId: 'm1',
  classNames: ['adenocarcinoma', 'normal'],
  positiveClass: 0,
  decisionThreshold: 0.5,
  temperature: 1,
  datasetVersion: 'dv1',
  ood: { mean: [0], components: [[1]], variances: [1], threshold: 3 },
};
const p = (adeno: number) => [adeno, 1 - adeno];
// malignant → adenocarcinoma: 0.9, 0.8, 0.4 (and one warned at 0.7, one refused); normal: 0.6, 0.3, 0.2 (warned), 0.1; benign unmapped: 0.55, 0.2 (warned)
const items: ExternalItem[] = [
  { file: 'malignant/a.png', folder: 'malignant', probabilities: p(0.9), oodScore: 1 },
  { file: 'malignant/b.png', folder: 'malignant', probabilities: p(0.8), oodScore: 1 },
  { file: 'malignant/c.png', folder: 'malignant', probabilities: p(0.4), oodScore: 1 },
  { file: 'malignant/d.png', folder: 'malignant', probabilities: p(0.7), oodScore: 5 },
  { file: 'malignant/broken.png', folder: 'malignant', error: 'cannot decode: premature end of input file' },
  { file: 'malignant/photo.png', folder: 'malignant', refused: 'Not a chest CT: colour image: 40% of pixels are coloured' },
  { file: 'normal/e.png', folder: 'normal', probabilities: p(0.6), oodScore: 1 },
  { file: 'normal/f.png', folder: 'normal', probabilities: p(0.3), oodScore: 1 },
  { file: 'normal/g.png', folder: 'normal', probabilities: p(0.2), oodScore: 4 },
  { file: 'normal/h.png', folder: 'normal', probabilities: p(0.1), oodScore: 1 },
  { file: 'benign/i.png', folder: 'benign', probabilities: p(0.55), oodScore: 1 },
  { file: 'benign/j.png', folder: 'benign', probabilities: p(0.2), oodScore: 9 },
];
const input: ExternalReportInput = {
  name: 'iq',
  items,
  labelMap: { malignant: 'adenocarcinoma', normal: 'normal' },
  metadata: meta,
  dataset: { path: '/data/iq', hash: 'abc' },
  date: '2026-12-02T08:00:00.000Z',
  bootstrap: 200,
  seed: 42,
  targetSensitivity: 1,
};

describe('externalReport (hand-computed)', () => {
  const r = externalReport(input);
  it('counts files: scored (accepted or warned), failed (named), refused (no prediction), unmapped', () => {
    expect(r.counts).toEqual({ files: 12, failed: 1, scored: 10, accepted: 7, warned: 3, refused: 1, unmapped: 2 });
    expect(r.failures).toEqual([{ file: 'malignant/broken.png', reason: 'cannot decode: premature end of input file' }]);
    expect(r.verdictRule).toMatch(/not-a-chest-CT rule/);
    expect(r.items.find((i) => i.file === 'malignant/photo.png')).toMatchObject({ status: 'refused', reason: /Not a chest CT/ });
    expect(r.items.find((i) => i.file === 'malignant/d.png')).toMatchObject({ status: 'scored', outcome: 'warned', reason: /unlike this model.s training data: OOD score 5\.00 > threshold 3\.00/ });
  });
  it('reports the unmapped folder apart: how the model calls it and how often it is warned', () => {
    const b = r.perFolder.benign!;
    expect(b).toMatchObject({ mappedTo: null, files: 2, scored: 2, warned: 1, refused: 0, decisions: { adenocarcinoma: 1, normal: 1 } });
    expect(b.warningRate.value).toBe(0.5);
    expect(b.meanPositiveProbability).toBeCloseTo(0.375, 12);
    expect(r.all!.n).toBe(8);
  });
  it('per-class refusal rates over files that were read, warning rates over predictions', () => {
    expect(r.perClass.adenocarcinoma!.refusalRate).toMatchObject({ successes: 1, total: 5 });
    expect(r.perClass.adenocarcinoma!.warningRate).toMatchObject({ successes: 1, total: 4 });
    expect(r.perClass.adenocarcinoma!.failed).toBe(1);
    expect(r.perClass.normal!.refusalRate).toMatchObject({ successes: 0, total: 4 });
    expect(r.perClass.normal!.warningRate).toMatchObject({ successes: 1, total: 4 });
  });
  it('all (refusals ignored): AUC, and the four figures at the shipped threshold', () => {
    const f = r.all!;
    // positives .9 .8 .4 .7 vs negatives .6 .3 .2 .1: 15 of 16 pairs (0.4 < 0.6)
    expect(f.rocAuc).toBeCloseTo(15 / 16, 12);
    expect(f.rocAucCi95![0]).toBeLessThanOrEqual(15 / 16);
    expect(f.atShippedThreshold.counts).toEqual({ tp: 3, fn: 1, fp: 1, tn: 3 });
    expect(f.atShippedThreshold.sensitivity.value).toBeCloseTo(0.75, 12);
    expect(f.atShippedThreshold.ppv.value).toBeCloseTo(0.75, 12);
    expect(f.atShippedThreshold.confusionMatrix).toEqual([
      [3, 1],
      [1, 3],
    ]);
    expect(f.majorityBaseline).toMatchObject({ class: 'adenocarcinoma', accuracy: 0.5, sensitivity: 1, specificity: 0 });
    expect(f.notes.join(' ')).toMatch(/only 4 adenocarcinoma items/);
  });
  it('the target-sensitivity threshold is re-chosen on the set: sensitivity 1 needs t = 0.4', () => {
    const t = r.all!.atTargetSensitivity!;
    expect(t.threshold).toBeCloseTo(0.4, 12);
    expect(t.counts).toEqual({ tp: 4, fn: 0, fp: 1, tn: 3 });
  });
  it('without the warning: warned files drop out of the figures', () => {
    const f = r.accepted!;
    expect(f.n).toBe(6);
    expect(f.nPerClass).toEqual({ adenocarcinoma: 3, normal: 3 });
    // .9 .8 .4 vs .6 .3 .1 → 8 of 9
    expect(f.rocAuc).toBeCloseTo(8 / 9, 12);
  });
  it('is deterministic (seeded bootstrap) and independent of item order', () => {
    const again = externalReport({ ...input, items: [...items].reverse() });
    expect(again.all!.rocAuc).toBe(r.all!.rocAuc);
    expect(again.counts).toEqual(r.counts);
  });
  it('a single-class set has no AUC and says why', () => {
    const only = externalReport({ ...input, items: items.filter((i) => i.folder === 'normal') });
    expect(only.all!.rocAuc).toBeNull();
    expect(only.all!.notes.join(' ')).toMatch(/no ROC-AUC/);
    expect(only.all!.atTargetSensitivity).toBeNull();
  });
  it('refuses a label map naming a class the model does not have, and malformed outputs', () => {
    expect(() => externalReport({ ...input, labelMap: { benign: 'benign' } })).toThrow(/"benign" maps to "benign", which is not a class/);
    expect(() => externalReport({ ...input, items: [{ file: 'x/y.png', folder: 'x', probabilities: [0.5] }] })).toThrow(/x\/y\.png: needs 2 probabilities/);
  });
  it('its summary validates as metadata.externalValidation', () => {
    const s = externalValidationSummary(r);
    expect(s).toMatchObject({ name: 'iq', nPerClass: { adenocarcinoma: 4, normal: 4 }, unmapped: { benign: 2 }, failed: 1, sensitivity: 0.75, refusalRate: 1 / 9, warningRate: 2 / 8 });
    const md = validMetadata({ modelId: 'm1', classNames: meta.classNames, decisionThreshold: 0.5, temperature: 1, datasetVersion: 'dv1' });
    expect(parseModelMetadata(md).externalValidation).toBeUndefined();
    expect(parseModelMetadata({ ...md, externalValidation: [s] }).externalValidation).toHaveLength(1);
    expect(() => parseModelMetadata({ ...md, externalValidation: [{ ...s, sensitivity: 'high' }] })).toThrow(/externalValidation\[0\]\.sensitivity/);
    // A set with no mapped folder (photos: refusals only) has no figures: null, not a misleading 0.
    const photos = externalValidationSummary(externalReport({ ...input, labelMap: {}, items: items.filter((i) => i.folder === 'benign') }));
    expect(photos).toMatchObject({ sensitivity: null, specificity: null, ppv: null, npv: null, rocAuc: null, refusalRate: null, unmapped: { benign: 2 } });
    expect(parseModelMetadata({ ...md, externalValidation: [photos] }).externalValidation![0]!.sensitivity).toBeNull();
  });
});
