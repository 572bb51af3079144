/**
 * The graph model on the active backend: load from verified bytes, run a batch of images, return the
 * contract's post-processed numbers per image. Every tensor is created and freed here.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { checkMetadataAgainstGraph, prepareInput, preprocessOf, type DecodedPixels, type ModelMetadata } from '@respidetect/contract';
import { raceContextLoss, tf } from './backends';
import type { VerifiedModelFiles } from '../../lib/verified-model-files';
import { loadVerifiedGraph } from '../../lib/load-graph';
import { splitBatchOutputs, type OutputLayout, type RawPrediction } from './batch-outputs';

export type { RawPrediction } from './batch-outputs';

export class Classifier {
  /**
   * The most images one run takes: the graph input's batch dimension when it is fixed (a graph
   * exported with [1, h, w, 3] runs one image at a time), Infinity when it is dynamic (-1, as
   * training/src/export writes it).
   */
  readonly maxBatch: number;
  /** Whether a run's output widths were checked against metadata.json yet (once, on the first run). */
  private widthsChecked = false;

  private constructor(
    private readonly model: GraphModel,
    readonly metadata: ModelMetadata,
    private readonly outputNames: string[],
    private readonly layout: OutputLayout,
  ) {
    const dim = model.inputs[0]?.shape?.[0];
    this.maxBatch = typeof dim === 'number' && dim > 0 ? dim : Infinity;
  }

  /**
   * `warmUp: false` skips the throw-away first run; the self-test wants that first (cold) run to
   * be its probe, timed and checked, rather than pay for two.
   */
  static async load(files: VerifiedModelFiles, { warmUp = true }: { warmUp?: boolean } = {}): Promise<Classifier> {
    const { metadata } = files;
    const model = await loadVerifiedGraph(files);
    const o = metadata.outputs;
    const layout = { embedding: Boolean(o.embedding && metadata.ood), heatmap: Boolean(o.heatmap) };
    const names = [o.logits ?? o.probabilities, ...(layout.embedding ? [o.embedding!] : []), ...(layout.heatmap ? [o.heatmap!] : [])];
    const classifier = new Classifier(model, metadata, names, layout);
    // Warm-up: the first run compiles shaders / allocates; do it before anyone waits on a result.
    // (A first batch of another size may still compile some shaders on WebGL: cheap next to this.)
    const size = metadata.inputSize;
    if (warmUp) await classifier.predict({ data: new Uint8Array(size * size * 3), width: size, height: size, channels: 3 });
    return classifier;
  }

  async predict(pixels: DecodedPixels): Promise<RawPrediction> {
    return (await this.predictBatch([pixels]))[0]!;
  }

  /**
   * One model run over `images` (at most maxBatch): each is prepared exactly as predict() prepares
   * it (the contract's prepareInput, alone), then they are stacked, so a batch gives each image
   * the numbers it would get alone, up to the backend's float rounding.
   */
  async predictBatch(images: readonly DecodedPixels[]): Promise<RawPrediction[]> {
    if (images.length === 0) return [];
    if (images.length > this.maxBatch) throw new Error(`a batch of ${images.length} images; this model's graph takes at most ${this.maxBatch}`);
    const meta = this.metadata;
    const outputs = tf.tidy(() => {
      const inputs = images.map((p) => prepareInput(tf, p, meta.inputSize, preprocessOf(meta)));
      const input = inputs.length === 1 ? inputs[0]! : tf.concat(inputs, 0);
      const out = this.model.execute(input, this.outputNames);
      return Array.isArray(out) ? out : [out];
    });
    try {
      if (!this.widthsChecked) {
        // The first run (warm-up or the self-test's probe) measures what the model.json signature does not say.
        const widths = Object.fromEntries(this.outputNames.map((n, k) => [n, outputs[k]!.shape[outputs[k]!.shape.length - 1]!]));
        checkMetadataAgainstGraph(meta, { names: this.model.outputNodes, widths });
        this.widthsChecked = true;
      }
      const values = await raceContextLoss(Promise.all(outputs.map((t) => t.data<'float32'>())));
      return splitBatchOutputs(
        outputs.map((t, k) => ({ values: values[k]!, shape: t.shape })),
        images.length,
        this.layout,
        meta,
      );
    } finally {
      tf.dispose(outputs);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
