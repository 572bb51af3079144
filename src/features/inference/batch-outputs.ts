/**
 * A batched model run's outputs → one prediction per image. Pure (plain arrays in, numbers out), so
 * the split is unit-tested without a model: image b's rows are the b-th 1/N of each output.
 */
import { classOutput, oodScore, type ModelMetadata } from '@respidetect/contract';

export interface RawPrediction {
  probabilities: number[];
  oodScore: number | null;
  heatmap: { width: number; height: number; maps: number[][] } | null;
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

/** [h, w, classes] interleaved → one row-major h*w map per class. */
function heatmapOf(data: ArrayLike<number>, shape: readonly number[]): NonNullable<RawPrediction['heatmap']> {
  const [, h = 0, w = 0, c = 0] = shape;
  const maps = Array.from({ length: c }, (_, k) => {
    const m = new Array<number>(h * w);
    for (let p = 0; p < h * w; p++) m[p] = data[p * c + k]!;
    return m;
  });
  return { width: w, height: h, maps };
}

/** Splits the outputs of one run over `count` images into `count` predictions, in input order. */
export function splitBatchOutputs(outputs: OutputData[], count: number, layout: OutputLayout, meta: Pick<ModelMetadata, 'outputs' | 'temperature' | 'ood'>): RawPrediction[] {
  const expected = 1 + (layout.embedding ? 1 : 0) + (layout.heatmap ? 1 : 0);
  if (outputs.length !== expected) throw new Error(`the model gave ${outputs.length} outputs, expected ${expected}`);
  for (const o of outputs) if (o.shape[0] !== count) throw new Error(`an output of shape [${o.shape.join(', ')}] for a batch of ${count} images`);
  return Array.from({ length: count }, (_, b) => {
    let i = 0;
    const { probabilities } = classOutput(rowsOf(outputs[i++]!, b), meta);
    const ood = layout.embedding ? oodScore(rowsOf(outputs[i++]!, b), meta.ood!) : null;
    const heatmap = layout.heatmap ? heatmapOf(rowsOf(outputs[i]!, b), outputs[i]!.shape) : null;
    return { probabilities, oodScore: ood, heatmap };
  });
}
