/**
 * A real pretrained image feature extractor that is legal to use here: the MobileNetV2 (224 px)
 * that npm `nsfwjs` (MIT) bundles as JS modules. It is ImageNet's MobileNetV2 transfer-learned to
 * classify NSFW/SFW pictures (blocks up to block_10 frozen at their ImageNet weights, block_11 on
 * fine-tuned), weights uint8-quantised; it never saw a medical image. ImageNet VGG16 weights, what
 * the shipped pipeline wants, cannot be downloaded on this machine; this can, from the npm registry.
 *
 * We load nsfwjs's own model definition (the bundled model.json and base64 weight shard) and hand
 * them to tfjs's `io.fromMemory`, as nsfwjs's core.js does, but cut the graph at FEATURE_LAYER: the
 * backbone's global-average-pooled output (average_pooling2d_1, 7×7 pool over out_relu, flattened),
 * before nsfwjs's NSFW-specific dense head (dense_1 256 → dense_2 128 → dense_3 5-way softmax).
 */
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import type { io, SymbolicTensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { tf, initBackend } from '../../training/src/backend';

export const FEATURE_LAYER = 'flatten_1';
export const FEATURE_WIDTH = 1280;
export const INPUT_SIZE = 224;

export interface FeatureExtractor {
  /** [n, 224, 224, 3] RGB 0..255 (the contract's prepareInput output) → n rows of FEATURE_WIDTH. */
  features(rgb: Tensor4D): Promise<Float32Array[]>;
  dispose(): void;
}

interface WeightGroup {
  paths: string[];
  weights: io.WeightsManifestEntry[];
}

export async function loadMobileNetFeatures(): Promise<FeatureExtractor> {
  // Never tfjs-node (its install downloads libtensorflow): the project's WASM backend, as training uses.
  const backend = await initBackend('wasm');
  if (backend !== 'wasm') throw new Error(`MobileNetV2 features: the WASM backend did not start (got ${backend})`);
  const json = (await MobileNetV2Model.modelJson()).default as unknown as { modelTopology: object; weightsManifest: WeightGroup[] };
  if (json.weightsManifest.length !== 1 || MobileNetV2Model.weightBundles.length !== 1)
    throw new Error('nsfwjs MobileNetV2: expected one weight group and one shard (did the nsfwjs version change?)');
  const shard = Buffer.from((await MobileNetV2Model.weightBundles[0]!()).default, 'base64');
  const weightData = shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength);
  const full = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
  const layer = full.getLayer(FEATURE_LAYER);
  const width = (layer.outputShape as number[])[1];
  if (width !== FEATURE_WIDTH) throw new Error(`nsfwjs MobileNetV2: ${FEATURE_LAYER} is ${width} wide, expected ${FEATURE_WIDTH}`);
  const model = tf.model({ inputs: full.inputs, outputs: layer.output as SymbolicTensor });
  // nsfwjs's infer() scales RGB 0..255 to 0..1 (divides by 255) and nothing else: MobileNetV2 as
  // nsfwjs trained it. We pass 224 px inputs, so its own (align-corners) resize never runs.
  const scale = tf.scalar(255);
  return {
    async features(rgb) {
      if (rgb.shape[1] !== INPUT_SIZE || rgb.shape[2] !== INPUT_SIZE || rgb.shape[3] !== 3) throw new Error(`MobileNetV2 features: input ${rgb.shape.join('×')} is not n×${INPUT_SIZE}×${INPUT_SIZE}×3`);
      const out = tf.tidy(() => model.predict(tf.div(rgb, scale)) as Tensor2D);
      const flat = await out.data<'float32'>();
      out.dispose();
      return Array.from({ length: rgb.shape[0] }, (_, i) => flat.slice(i * FEATURE_WIDTH, (i + 1) * FEATURE_WIDTH));
    },
    dispose() {
      scale.dispose();
      full.dispose();
    },
  };
}
