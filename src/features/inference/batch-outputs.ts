/**
 * A batched model run's outputs → one prediction per image. Pure (plain arrays in, numbers out), so
 * the split is unit-tested without a model: image b's rows are the b-th 1/N of each output.
 */
import { classOutput, heatmapMaps, oodScore, type Heatmap, type ModelMetadata } from '@respidetect/contract';

export interface RawPrediction {
  /** The graph's logits (log-probabilities for a probabilities-only model), before the temperature. */
  logits: number[];
  probabilities: number[];
  oodScore: number | null;
  heatmap: Heatmap | null;
}

/** One output tensor, read back: its values and its shape, batch first. */
export interface OutputData {
  values: Float32Array | number[];
  shape: readonly number[];
}

/** Which outputs the graph was asked for, in Classifier's order: logits (or probabilities), then embedding, then heatmap. */
export interface OutputLayout {
  embedding: boolean;
  heatmap: boolean;
}

/** Image b's part of a [N, ...] output. */
function rowsOf({ values, shape }: OutputData, b: number): ArrayLike<number> {
  const per = shape.slice(1).reduce((a, d) => a * d, 1);
  if (values.length !== shape[0]! * per) throw new Error(`an output of shape [${shape.join(', ')}] holds ${values.length} values`);
  return values instanceof Float32Array ? values.subarray(b * per, (b + 1) * per) : values.slice(b * per, (b + 1) * per);
}

/** Splits the outputs of one run over `count` images into `count` predictions, in input order. */
export function splitBatchOutputs(outputs: OutputData[], count: number, layout: OutputLayout, meta: Pick<ModelMetadata, 'outputs' | 'temperature' | 'ood'>): RawPrediction[] {
  const expected = 1 + (layout.embedding ? 1 : 0) + (layout.heatmap ? 1 : 0);
  if (outputs.length !== expected) throw new Error(`the model gave ${outputs.length} outputs, expected ${expected}`);
  for (const o of outputs) if (o.shape[0] !== count) throw new Error(`an output of shape [${o.shape.join(', ')}] for a batch of ${count} images`);
  return Array.from({ length: count }, (_, b) => {
    let i = 0;
    const { logits, probabilities } = classOutput(rowsOf(outputs[i++]!, b), meta);
    const ood = layout.embedding ? oodScore(rowsOf(outputs[i++]!, b), meta.ood!) : null;
    // Image b's [1, h, w, classes] slice, in the contract's one heatmap layout.
    const heatmap = layout.heatmap ? heatmapMaps(rowsOf(outputs[i]!, b), [1, ...outputs[i]!.shape.slice(1)]) : null;
    return { logits, probabilities, oodScore: ood, heatmap };
  });
}
