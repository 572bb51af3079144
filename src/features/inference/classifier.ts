/**
 * The graph model on the active backend: load from verified bytes, run one image, return the
 * contract's post-processed numbers. Every tensor is created and freed here.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { classOutput, heatmapMaps, oodScore, prepareInput, preprocessOf, type DecodedPixels, type Heatmap, type ModelMetadata } from '@respidetect/contract';
import { raceContextLoss, tf } from './backends';
import type { VerifiedModelFiles } from '../model-delivery';
import { loadVerifiedGraph } from './load-graph';

export interface RawPrediction {
  /** The graph's logits (log-probabilities for a probabilities-only model), before the temperature. */
  logits: number[];
  probabilities: number[];
  oodScore: number | null;
  heatmap: Heatmap | null;
}

export class Classifier {
  private constructor(
    private readonly model: GraphModel,
    readonly metadata: ModelMetadata,
    private readonly outputNames: string[],
  ) {}

  /**
   * `warmUp: false` skips the throw-away first run; the self-test wants that first (cold) run to
   * be its probe, timed and checked, rather than pay for two.
   */
  static async load(files: VerifiedModelFiles, { warmUp = true }: { warmUp?: boolean } = {}): Promise<Classifier> {
    const { metadata } = files;
    const model = await loadVerifiedGraph(files);
    const o = metadata.outputs;
    const names = [o.logits ?? o.probabilities, ...(o.embedding && metadata.ood ? [o.embedding] : []), ...(o.heatmap ? [o.heatmap] : [])];
    const classifier = new Classifier(model, metadata, names);
    // Warm-up: the first run compiles shaders / allocates; do it before anyone waits on a result.
    const size = metadata.inputSize;
    if (warmUp) await classifier.predict({ data: new Uint8Array(size * size * 3), width: size, height: size, channels: 3 });
    return classifier;
  }

  async predict(pixels: DecodedPixels): Promise<RawPrediction> {
    const meta = this.metadata;
    const o = meta.outputs;
    const outputs = tf.tidy(() => {
      const input = prepareInput(tf, pixels, meta.inputSize, preprocessOf(meta));
      const out = this.model.execute(input, this.outputNames);
      return Array.isArray(out) ? out : [out];
    });
    try {
      const values = await raceContextLoss(Promise.all(outputs.map((t) => t.data())));
      let i = 0;
      const { logits, probabilities } = classOutput(values[i++] as Float32Array, meta);
      let ood: number | null = null;
      if (o.embedding && meta.ood) ood = oodScore(values[i++] as Float32Array, meta.ood);
      const heatmap = o.heatmap ? heatmapMaps(values[i] as Float32Array, outputs[i]!.shape) : null;
      return { logits, probabilities, oodScore: ood, heatmap };
    } finally {
      tf.dispose(outputs);
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
