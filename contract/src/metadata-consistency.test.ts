import { describe, expect, it } from 'vitest';
import { checkMetadataAgainstGraph, MAX_METADATA_BYTES, parseModelMetadata, type ModelMetadata } from './metadata';
import { ModelFileError } from './model-files/model-file-error';
import { readMetadataJson } from './model-files/verify-folder';
import { validMetadata } from '../../testkit/models/metadata-fixture';

const valid = (): ModelMetadata =>
  validMetadata({
    outputs: { probabilities: 'probabilities', logits: 'logits', embedding: 'embedding' },
    ood: { mean: [0, 0, 0], components: [[1, 0, 0], [0, 1, 0]], variances: [1, 2], residualVariance: 0.5, threshold: 3 },
  });

/** The refusal's sentence, or 'ok'. */
const verdict = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof ModelFileError) return `${e.kind}: ${e.message}`;
    throw e;
  }
};
const edited = (edit: (m: ModelMetadata) => void): ModelMetadata => {
  const m = valid();
  edit(m);
  return m;
};
const GRAPH = { names: ['logits', 'probabilities', 'heatmap', 'embedding'], widths: { logits: 2, probabilities: 2, embedding: 3 } };

describe('metadata.json against itself', () => {
  it('accepts a consistent file', () => {
    expect(verdict(() => parseModelMetadata(valid()))).toBe('ok');
  });

  it.each([
    ['an OOD mean shorter than its components', (m: ModelMetadata) => (m.ood!.mean = [0, 0]), /^inconsistent: This model's metadata\.json is inconsistent: ood\.components\[0\] has 3 entries; ood\.mean has 2/],
    ['an OOD threshold of −1 (every image would be flagged)', (m: ModelMetadata) => (m.ood!.threshold = -1), /ood\.threshold is -1; an OOD distance threshold must be positive/],
    ['variances for another number of components', (m: ModelMetadata) => (m.ood!.variances = [1]), /ood\.variances has 1 entries for 2 components/],
    ['a zero variance', (m: ModelMetadata) => (m.ood!.variances = [1, 0]), /ood\.variances\[1\] is 0/],
    ['a class named twice', (m: ModelMetadata) => (m.classNames = ['normal', 'normal']), /classNames name a class twice/],
    [
      'an external validation threshold outside [0, 1]',
      (m: ModelMetadata) =>
        (m.externalValidation = [
          { name: 'x', date: '2026-01-01', datasetHash: 'h', nPerClass: {}, unmapped: {}, failed: 0, rocAuc: null, rocAucCi95: null, threshold: 1.5, sensitivity: null, specificity: null, ppv: null, npv: null, refusalRate: null, warningRate: null, verdictRule: 'r' },
        ]),
      /externalValidation\[0\]\.threshold is 1\.5/,
    ],
  ])('refuses %s, naming the field', (_, edit, message) => {
    expect(verdict(() => parseModelMetadata(edited(edit)))).toMatch(message);
  });

  it('refuses a metadata.json past the byte limit before parsing it', () => {
    const big = new Uint8Array(MAX_METADATA_BYTES + 1).fill(0x20);
    expect(verdict(() => readMetadataJson(big))).toMatch(/^too-large: metadata\.json: is 4\.0 MiB; the limit is 4 MiB/);
  });
});

describe('metadata.json against the graph', () => {
  it('accepts a graph that has every named output at the right width', () => {
    expect(verdict(() => checkMetadataAgainstGraph(valid(), GRAPH))).toBe('ok');
  });

  it('refuses 5 class names for a 2-wide probability output', () => {
    const m = edited((x) => (x.classNames = ['a', 'b', 'c', 'd', 'e']));
    expect(verdict(() => checkMetadataAgainstGraph(m, GRAPH))).toBe(
      `inconsistent: This model's metadata.json is inconsistent: classNames has 5 names but the graph's probabilities output ("probabilities") has 2 values per image`,
    );
  });

  it('refuses an output name the graph does not have', () => {
    const m = edited((x) => (x.outputs.heatmap = 'cam'));
    expect(verdict(() => checkMetadataAgainstGraph(m, GRAPH))).toMatch(/outputs\.heatmap is "cam", which is not an output of the graph/);
  });

  it('refuses an OOD mean of another length than the embedding output', () => {
    expect(verdict(() => checkMetadataAgainstGraph(valid(), { ...GRAPH, widths: { ...GRAPH.widths, embedding: 512 } }))).toMatch(
      /ood\.mean has 3 entries but the graph's embedding output \("embedding"\) has 512/,
    );
  });
});
