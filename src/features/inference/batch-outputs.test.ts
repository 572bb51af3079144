import { describe, expect, it } from 'vitest';
import { calibratedProbabilities, oodScore } from '@respidetect/contract';
import { splitBatchOutputs } from './batch-outputs';

const ood = { mean: [0.5, 1, 0, 2], components: [[1, 0, 0, 0], [0, 0.6, 0.8, 0]], variances: [2, 0.5], residualVariance: 0.25, threshold: 3 };
const meta = { outputs: { probabilities: 'probabilities', logits: 'logits', embedding: 'embedding', heatmap: 'heatmap' }, temperature: 1.5, ood };
const layout = { embedding: true, heatmap: true };

// Three images: logits [3, 2], embedding [3, 4], heatmap [3, h=2, w=3, classes=2], each image's values distinct.
const N = 3;
const logits = Float32Array.from([0.2, -1, 3, 0.5, -2, -2.5]);
const embedding = Float32Array.from({ length: N * 4 }, (_, i) => Math.sin(i) * 3);
const heat = Float32Array.from({ length: N * 2 * 3 * 2 }, (_, i) => i * 0.1 - 1);
const batched = () => [
  { values: logits, shape: [N, 2] },
  { values: embedding, shape: [N, 4] },
  { values: heat, shape: [N, 2, 3, 2] },
];

describe('splitting a batched run into per-image predictions', () => {
  it("gives image b the b-th row of each output: the same numbers as a run of that image alone", () => {
    const out = splitBatchOutputs(batched(), N, layout, meta);
    expect(out).toHaveLength(N);
    for (let b = 0; b < N; b++) {
      const alone = splitBatchOutputs(
        [
          { values: Array.from(logits.subarray(b * 2, b * 2 + 2)), shape: [1, 2] },
          { values: Array.from(embedding.subarray(b * 4, b * 4 + 4)), shape: [1, 4] },
          { values: Array.from(heat.subarray(b * 12, b * 12 + 12)), shape: [1, 2, 3, 2] },
        ],
        1,
        layout,
        meta,
      )[0]!;
      expect(out[b]).toEqual(alone);
      expect(out[b]!.probabilities).toEqual(calibratedProbabilities(Array.from(logits.subarray(b * 2, b * 2 + 2)), meta.temperature));
      expect(out[b]!.oodScore).toBe(oodScore(embedding.subarray(b * 4, b * 4 + 4), ood));
    }
  });

  it('de-interleaves each image\'s heatmap into one row-major map per class', () => {
    const { heatmap } = splitBatchOutputs(batched(), N, layout, meta)[1]!;
    expect(heatmap!.width).toBe(3);
    expect(heatmap!.height).toBe(2);
    // Image 1 starts at value 12; pixel p of class k is at 12 + 2p + k.
    const at = (i: number) => Math.fround(i * 0.1 - 1);
    expect(heatmap!.maps[0]).toEqual([0, 1, 2, 3, 4, 5].map((p) => at(12 + 2 * p)));
    expect(heatmap!.maps[1]).toEqual([0, 1, 2, 3, 4, 5].map((p) => at(12 + 2 * p + 1)));
  });

  it('leaves out what the graph was not asked for', () => {
    const [first] = splitBatchOutputs([{ values: logits, shape: [N, 2] }], N, { embedding: false, heatmap: false }, meta);
    expect(first!.oodScore).toBeNull();
    expect(first!.heatmap).toBeNull();
  });

  it('refuses outputs that do not match the batch', () => {
    expect(() => splitBatchOutputs(batched(), 2, layout, meta)).toThrow('an output of shape [3, 2] for a batch of 2 images');
    expect(() => splitBatchOutputs(batched().slice(0, 2), N, layout, meta)).toThrow('the model gave 2 outputs, expected 3');
    expect(() => splitBatchOutputs([{ values: logits.subarray(1), shape: [N, 2] }], N, { embedding: false, heatmap: false }, meta)).toThrow('an output of shape [3, 2] holds 5 values');
  });
});
