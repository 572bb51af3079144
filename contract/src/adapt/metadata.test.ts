import { describe, expect, it } from 'vitest';
import { calibrateOnValidation } from '../eval/calibrate-on-validation';
import { externalReport } from '../eval/external';
import { MetadataError, parseModelMetadata, type ModelMetadata } from '../metadata';
import { rng } from '../util/rng';
import { sha256HexSync } from '../util/sha256';
import { adaptedMetadata } from './metadata';
import { splitForAdaptation } from './split';
import { validMetadata } from '../../../testkit/models/metadata-fixture';

const parent: ModelMetadata = parseModelMetadata(validMetadata({ inputSize: 32, externalValidation: [] }));

/** Logits that rank the positives above the negatives most of the time. */
function logitsFor(labels: number[], seed: number): number[][] {
  const r = rng(seed);
  return labels.map((y) => (y === 0 ? [1.5 + r() * 2 - 1, 0] : [r() * 2 - 1.5, 0]));
}

describe('adaptedMetadata', () => {
  it('records the parent, data hash, counts and fitted calibration, validates, and drops the parent’s own external results', () => {
    const valLabels = Array.from({ length: 60 }, (_, i) => i % 2);
    const calibration = calibrateOnValidation(logitsFor(valLabels, 1), valLabels, 0, 0.95);
    const testLabels = Array.from({ length: 40 }, (_, i) => i % 2);
    const testLogits = logitsFor(testLabels, 2);
    const items = testLogits.map((z, i) => {
      const e = z.map((v) => Math.exp(v / calibration.temperature));
      const s = e[0]! + e[1]!;
      return { file: `f${i}.png`, folder: testLabels[i] === 0 ? 'malignant' : 'normal', probabilities: [e[0]! / s, e[1]! / s] };
    });
    const report = externalReport({
      name: 't',
      items,
      labelMap: { malignant: 'adenocarcinoma', normal: 'normal' },
      metadata: { ...parent, decisionThreshold: calibration.choice.threshold, temperature: calibration.temperature },
      dataset: { path: 'x', hash: 'h' },
      date: '2026-12-04T00:00:00.000Z',
      bootstrap: 200,
      seed: 42,
      targetSensitivity: 0.95,
    });
    const split = splitForAdaptation([], parent.classNames);
    const folder = { modelJsonText: '{}', modelJsonSha256: sha256HexSync('{}'), shards: [{ fileName: 'group1-shard1of1.cccc.bin', bytes: new Uint8Array(1), sha256: 'c'.repeat(64) }], modelId: 'fedcba9876543210' };
    const dataHash = sha256HexSync('data');
    const m = adaptedMetadata({
      parent,
      folder,
      calibration,
      testFigures: report.all!,
      split,
      adaptation: { dataHash, excluded: { failed: 1, refused: 2 }, training: { epochs: 9, bestEpoch: 6, stoppedEarly: true, optimizer: 'adam', learningRate: 1e-3, batchSize: 32, classWeights: [1, 1] }, parentTestRocAuc: 0.6 },
      createdAt: '2026-12-04T01:00:00.000Z',
    });
    expect(m.modelId).toBe('fedcba9876543210');
    expect(m.adaptation).toMatchObject({ note: 'adapted locally', parentModelId: parent.modelId, dataHash, parentTestRocAuc: 0.6 });
    expect(m.temperature).toBe(calibration.temperature);
    expect(m.decisionThreshold).toBe(calibration.choice.threshold);
    expect(m.thresholdPlacement?.validation.positives).toBe(30);
    expect(m.metrics.testCount).toBe(40);
    expect(m.metrics.rocAuc).toBe(report.all!.rocAuc);
    expect(m.evaluation?.method).toBe('adapted');
    expect(m.externalValidation).toBeUndefined();
    expect(m.hashes.weights).toEqual({ 'group1-shard1of1.cccc.bin': 'c'.repeat(64) });
    // It round-trips through the reader every app and CLI uses.
    expect(parseModelMetadata(JSON.parse(JSON.stringify(m)))).toEqual(m);
    // A malformed record is refused, naming the field; a model without one (every older model) still reads.
    expect(() => parseModelMetadata({ ...m, adaptation: { ...m.adaptation, dataHash: 'nope' } })).toThrow(MetadataError);
    expect(() => parseModelMetadata({ ...m, adaptation: { ...m.adaptation, dataHash: 'nope' } })).toThrow(/adaptation\.dataHash/);
    expect(() => parseModelMetadata(parent)).not.toThrow();
  });
});
