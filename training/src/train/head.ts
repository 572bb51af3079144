/**
 * The classifier head on top of the frozen VGG16 features. Its Dense layer has no activation and
 * is named "logits"; softmax is a separate layer named "probabilities". Evaluation needs the
 * logits (temperature scaling), the app needs both, and the exporter finds them by these names.
 */
import * as tf from '@tensorflow/tfjs';

export const LOGITS_LAYER = 'logits';
export const PROBABILITIES_LAYER = 'probabilities';

export interface HeadConfig {
  /** flatten: the original recipe; gap: GlobalAveragePooling2D, 512 inputs instead of h·w·512. */
  head: 'flatten' | 'gap';
  dropout: number;
  numClasses: number;
  /** The base's output shape for one image, [h, w, c]. */
  featureShape: [number, number, number];
  seed: number;
}

export interface Head {
  /** features → probabilities: what is saved and exported. */
  model: tf.LayersModel;
  /** The same layers, stopping at the logits: what is trained and evaluated. */
  logits: tf.LayersModel;
}

export function buildHead(cfg: HeadConfig): Head {
  const input = tf.input({ shape: cfg.featureShape, name: 'features' });
  const model = tf.model({ inputs: input, outputs: applyHead(input, cfg), name: 'head' });
  return { model, logits: logitsView(model) };
}

/**
 * The head's layers on top of `x` — the frozen features, or a fine-tuned block's output — up to
 * the probabilities. One definition, so a fine-tuned network's head is the frozen-base head.
 */
export function applyHead(x: tf.SymbolicTensor, cfg: Omit<HeadConfig, 'featureShape'>): tf.SymbolicTensor {
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new Error(`model.dropout must be in [0, 1), got ${cfg.dropout}`);
  if (cfg.numClasses < 2) throw new Error(`the head needs at least two classes, got ${cfg.numClasses}`);
  x =
    cfg.head === 'gap'
      ? (tf.layers.globalAveragePooling2d({ name: 'head_gap' }).apply(x) as tf.SymbolicTensor)
      : (tf.layers.flatten({ name: 'head_flatten' }).apply(x) as tf.SymbolicTensor);
  if (cfg.dropout > 0) x = tf.layers.dropout({ rate: cfg.dropout, name: 'head_dropout' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: cfg.numClasses,
      name: LOGITS_LAYER,
      // Keras' defaults, seeded so a run is reproducible and a resumed run matches an uninterrupted one.
      kernelInitializer: tf.initializers.glorotUniform({ seed: cfg.seed }),
      biasInitializer: 'zeros',
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'softmax', name: PROBABILITIES_LAYER }).apply(logits) as tf.SymbolicTensor;
}

/** The logits sub-model of a head (built here or loaded from disk); it shares the head's weights. */
export function logitsView(model: tf.LayersModel): tf.LayersModel {
  const layer = model.getLayer(LOGITS_LAYER);
  return tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor, name: 'head_logits' });
}
