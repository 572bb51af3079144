import { describe, expect, it } from 'vitest';
import { MetadataError, parseModelMetadata, type ModelMetadata } from './metadata';
import { validMetadata } from '../../testkit/models/metadata-fixture';

const valid = (): ModelMetadata => validMetadata({ metrics: { accuracy: 0.9, perClass: { normal: { precision: 1, recall: 0.5, f1: 0.66, support: 4 } } } });

const without = (path: string): unknown => {
  const m = structuredClone(valid()) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let cur = m;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  delete cur[keys[keys.length - 1]!];
  return m;
};

const withValue = (path: string, value: unknown): unknown => {
  const m = structuredClone(valid()) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let cur = m;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
  return m;
};

describe('ModelMetadata validation', () => {
  it('accepts a complete document', () => {
    expect(parseModelMetadata(valid()).modelId).toBe('0123456789abcdef');
  });

  it.each(['schemaVersion', 'classNames', 'inputSize', 'hashes.modelJson', 'hashes.weights', 'metrics.accuracy', 'decisionThreshold', 'temperature', 'trainingRunId', 'datasetVersion', 'versions.tfjs', 'outputs.probabilities'])(
    'a missing %s is named',
    (field) => {
      expect(() => parseModelMetadata(without(field))).toThrow(new MetadataError(field, 'is missing'));
    },
  );

  it.each([
    ['inputSize', '224', /inputSize" must be a finite number, got a string/],
    ['inputSize', 22.5, /inputSize" must be an integer/],
    ['classNames', 'normal', /classNames" must be an array/],
    ['classNames', ['normal'], /classNames" must have at least 2/],
    ['classNames', ['normal', 3], /classNames\[1\]" must be a non-empty string/],
    ['weightDtype', 'float64', /weightDtype" must be one of "float32", "float16", "uint8"/],
    ['hashes.modelJson', 'abc', /hashes.modelJson" must be a sha256/],
    ['hashes.weights', { 'x.bin': 'nope' }, /hashes.weights.x.bin" must be a sha256/],
    ['metrics.perClass', { normal: { precision: 1, recall: 1, f1: 1 } }, /metrics.perClass.normal.support" is missing/],
    ['positiveClass', 2, /positiveClass" must index classNames/],
    ['decisionThreshold', 1, /decisionThreshold" must be strictly between 0 and 1/],
    ['temperature', 0, /temperature" must be positive/],
    ['createdAt', 'yesterday', /createdAt" must be an ISO 8601 date/],
    ['schemaVersion', 2, /schemaVersion" is 2; this build reads version 1/],
    ['hashes', null, /hashes" must be an object, got null/],
  ])('%s = %j is refused with the field named', (field, value, message) => {
    expect(() => parseModelMetadata(withValue(field, value))).toThrow(message);
  });

  it('refuses a non-object document', () => {
    expect(() => parseModelMetadata([])).toThrow(/must be an object, got an array/);
    expect(() => parseModelMetadata(undefined)).toThrow(/missing/);
  });
});

describe('evaluation protocol (optional)', () => {
  const quick = { method: 'quick', validationSplit: false, calibrated: false, grouping: { groups: 411, exactRedundantCopies: 40, nearGroups: 159, nearGroupedImages: 801, labelConflicts: 2 } };

  it('older models without it still validate; a quick model with it does', () => {
    expect(parseModelMetadata(valid()).evaluation).toBeUndefined();
    expect(parseModelMetadata(withValue('evaluation', quick)).evaluation).toEqual(quick);
  });

  it.each([
    ['evaluation.method', 'fast', /evaluation.method" must be one of "pipeline", "quick"/],
    ['evaluation.calibrated', 'no', /evaluation.calibrated" must be true or false, got a string/],
    ['evaluation.grouping', { groups: 1 }, /evaluation.grouping.exactRedundantCopies" is missing/],
  ])('%s = %j is refused with the field named', (field, value, message) => {
    const m = withValue('evaluation', structuredClone(quick)) as Record<string, Record<string, unknown>>;
    m.evaluation![field.split('.')[1]!] = value;
    expect(() => parseModelMetadata(m)).toThrow(message);
  });
});

describe('thresholdPlacement (how the threshold was placed)', () => {
  const placement = { placedBy: 'fallback', rule: 'fallback: 0.5 …', fallbackReason: 'validation has 13 negatives, fewer than 20', validation: { positives: 23, negatives: 13, sensitivity: 0.9, specificity: 0.7 } };
  it('is optional, and read back when present', () => {
    expect(parseModelMetadata(valid()).thresholdPlacement).toBeUndefined();
    expect(parseModelMetadata(withValue('thresholdPlacement', placement)).thresholdPlacement).toEqual(placement);
    expect(parseModelMetadata(withValue('thresholdPlacement', { ...placement, placedBy: 'min-sensitivity', fallbackReason: null })).thresholdPlacement?.fallbackReason).toBeNull();
  });
  it('names a bad field', () => {
    expect(() => parseModelMetadata(withValue('thresholdPlacement', { ...placement, placedBy: 'guess' }))).toThrow('field "thresholdPlacement.placedBy" must be one of');
    expect(() => parseModelMetadata(withValue('thresholdPlacement', { ...placement, validation: { positives: 1 } }))).toThrow('field "thresholdPlacement.validation.negatives" is missing');
  });
});
