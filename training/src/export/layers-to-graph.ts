/**
 * tfjs LayersModel (a chain: conv base + classifier head) → fused inference graph.
 *
 * No Node tool converts a LayersModel to a graph model, so this walks the layers and emits the
 * ops tfjs' graph executor runs fastest: Conv2D+BiasAdd+Relu as `_FusedConv2D`, Dense as
 * `_FusedMatMul`. VGG16's caffe normalisation goes in front, so the browser feeds RGB 0..255.
 *
 * Outputs (by node name):
 *   logits        the final Dense before softmax
 *   probabilities softmax(logits)
 *   heatmap       [1, h, w, classes] class-activation maps (exact decomposition of the logits
 *                 for a linear head: Flatten→Dense sums them, GAP→Dense averages them)
 *   embedding     [1, channels] global average of the last conv block: input to the OOD score
 */
import type * as tf from '@tensorflow/tfjs';
import { CAFFE_MEANS_BGR } from '@respidetect/contract';
import { GraphBuilder, attr } from './graph-def';

export const OUTPUT_NAMES = { logits: 'logits', probabilities: 'probabilities', heatmap: 'heatmap', embedding: 'embedding' } as const;
export const INPUT_NAME = 'image';

interface LayerConfig {
  activation?: string;
  padding?: string;
  strides?: number[] | number;
  poolSize?: number[] | number;
  dilationRate?: number[] | number;
  dataFormat?: string;
  useBias?: boolean;
}

const pair = (v: number[] | number | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0]!, v[1] ?? v[0]!];

const SUPPORTED_ACTIVATIONS = new Set(['linear', 'relu', 'softmax']);

export interface GraphExport {
  builder: GraphBuilder;
  outputs: string[];
  inputShape: number[];
  classes: number;
}

export interface GraphExportOptions {
  /** Put VGG16's caffe normalisation in the graph (the layers model expects normalised input). */
  caffeNormalisation: boolean;
}

/** A chain of layers applied in order: one model, or a base followed by a head. */
export interface LayerChain {
  layers: tf.layers.Layer[];
  /** [null, h, w, 3] */
  inputShape: (number | null)[];
}

export const chainOf = (model: tf.LayersModel): LayerChain => ({ layers: model.layers, inputShape: model.inputs[0]!.shape });

export function layersToGraph(chain: LayerChain, opts: GraphExportOptions): GraphExport {
  const g = new GraphBuilder();
  const layers = chain.layers;
  const inShape = chain.inputShape;
  if (inShape.length !== 4 || inShape[3] !== 3) throw new Error(`graph export: expected an NHWC RGB input, got [${inShape}]`);
  const inputShape = [-1, inShape[1]!, inShape[2]!, 3];
  let x = g.placeholder(INPUT_NAME, inputShape);
  // Caffe mode is x[..., ::-1] - means_bgr. The subtraction happens here in RGB order; the
  // channel flip is folded into the first conv's kernel (exact, zero cost; zero padding is
  // the same in either channel order).
  let flipFirstConvChannels = false;
  if (opts.caffeNormalisation) {
    const meansRgb = Float32Array.from([...CAFFE_MEANS_BGR].reverse());
    x = g.op('Sub', 'preprocess/caffe_mean', [x, g.constant('preprocess/means_rgb', meansRgb, [3])]);
    flipFirstConvChannels = true;
  }

  let lastConvOutput: string | undefined;
  let lastConvShape: number[] | undefined;
  let pooling: 'flatten' | 'gap' | undefined;
  let logits: string | undefined;
  let classes = 0;

  for (const layer of layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as LayerConfig;
    const name = layer.name;
    const activation = cfg.activation ?? 'linear';
    if (!SUPPORTED_ACTIVATIONS.has(activation)) throw new Error(`graph export: layer ${name}: activation "${activation}" is not supported`);
    if (cfg.dataFormat && cfg.dataFormat !== 'channelsLast') throw new Error(`graph export: layer ${name}: only channelsLast is supported`);
    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
        break; // inference is the identity
      case 'Conv2D': {
        if (logits) throw new Error(`graph export: Conv2D ${name} after the classifier is not supported`);
        const [kernelT, biasT] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
        if (!biasT) throw new Error(`graph export: Conv2D ${name} without bias is not supported`);
        if (activation === 'softmax') throw new Error(`graph export: Conv2D ${name} with softmax is not supported`);
        let kernel = kernelT.dataSync() as Float32Array;
        const [kh, kw, cin, cout] = kernelT.shape;
        if (flipFirstConvChannels) {
          kernel = flipInputChannels(kernel, kh, kw, cin, cout);
          flipFirstConvChannels = false;
        }
        const [sh, sw] = pair(cfg.strides, 1);
        const [dh, dw] = pair(cfg.dilationRate, 1);
        const k = g.constant(`${name}/kernel`, kernel, [kh, kw, cin, cout]);
        const b = g.constant(`${name}/bias`, biasT.dataSync() as Float32Array, [cout]);
        x = g.op('_FusedConv2D', name, [x, k, b], {
          strides: attr.ints([1, sh, sw, 1]),
          padding: attr.str((cfg.padding ?? 'valid').toUpperCase()),
          data_format: attr.str('NHWC'),
          dilations: attr.ints([1, dh, dw, 1]),
          fused_ops: attr.strs(activation === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd']),
          num_args: attr.int(1),
          epsilon: attr.float(0),
        });
        lastConvOutput = x;
        lastConvShape = layer.outputShape as number[];
        break;
      }
      case 'MaxPooling2D': {
        const [ph, pw] = pair(cfg.poolSize, 2);
        const [sh, sw] = pair(cfg.strides ?? cfg.poolSize, 2);
        x = g.op('MaxPool', name, [x], {
          ksize: attr.ints([1, ph, pw, 1]),
          strides: attr.ints([1, sh, sw, 1]),
          padding: attr.str((cfg.padding ?? 'valid').toUpperCase()),
          data_format: attr.str('NHWC'),
        });
        lastConvOutput = x;
        lastConvShape = layer.outputShape as number[];
        break;
      }
      case 'Flatten': {
        const size = (layer.outputShape as number[])[1]!;
        x = g.op('Reshape', name, [x, g.constant(`${name}/shape`, Int32Array.from([-1, size]), [2])], { Tshape: attr.dtype('int32') });
        pooling ??= 'flatten';
        break;
      }
      case 'GlobalAveragePooling2D': {
        x = g.op('Mean', name, [x, g.constant(`${name}/axes`, Int32Array.from([1, 2]), [2])], { keep_dims: attr.bool(false), Tidx: attr.dtype('int32') });
        pooling ??= 'gap';
        break;
      }
      case 'Dense': {
        const [kernelT, biasT] = layer.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined];
        if (!biasT) throw new Error(`graph export: Dense ${name} without bias is not supported`);
        const k = g.constant(`${name}/kernel`, kernelT.dataSync() as Float32Array, kernelT.shape);
        const b = g.constant(`${name}/bias`, biasT.dataSync() as Float32Array, biasT.shape);
        const isLast = layer === layers[layers.length - 1] || nextIsSoftmaxOnly(layers, layer);
        const fused = activation === 'relu' ? ['BiasAdd', 'Relu'] : ['BiasAdd'];
        x = g.op('_FusedMatMul', isLast ? OUTPUT_NAMES.logits : name, [x, k, b], {
          transpose_a: attr.bool(false),
          transpose_b: attr.bool(false),
          fused_ops: attr.strs(fused),
          num_args: attr.int(1),
          epsilon: attr.float(0),
        });
        if (isLast) {
          if (activation === 'relu') throw new Error(`graph export: the classifier Dense ${name} must be linear or softmax`);
          logits = x;
          classes = kernelT.shape[1];
          if (pooling && lastConvOutput && lastConvShape) addHeatmap(g, lastConvOutput, lastConvShape, pooling, kernelT);
        }
        break;
      }
      case 'Activation': {
        if (activation !== 'softmax' || !logits) throw new Error(`graph export: Activation ${name} (${activation}) is only supported as the final softmax`);
        break;
      }
      default:
        throw new Error(`graph export: layer ${name} of type ${cls} is not supported`);
    }
  }
  if (!logits) throw new Error('graph export: the model has no final Dense layer to use as logits');
  g.op('Softmax', OUTPUT_NAMES.probabilities, [logits]);
  const outputs: string[] = [OUTPUT_NAMES.logits, OUTPUT_NAMES.probabilities];
  if (g.nodes.some((n) => n.name === OUTPUT_NAMES.heatmap)) outputs.push(OUTPUT_NAMES.heatmap);
  if (lastConvOutput && lastConvShape?.length === 4) {
    g.op('Mean', OUTPUT_NAMES.embedding, [lastConvOutput, g.constant('embedding/axes', Int32Array.from([1, 2]), [2])], {
      keep_dims: attr.bool(false),
      Tidx: attr.dtype('int32'),
    });
    outputs.push(OUTPUT_NAMES.embedding);
  }
  return { builder: g, outputs, inputShape, classes };
}

function nextIsSoftmaxOnly(layers: tf.layers.Layer[], layer: tf.layers.Layer): boolean {
  const rest = layers.slice(layers.indexOf(layer) + 1);
  return rest.length > 0 && rest.every((l) => l.getClassName() === 'Activation' || l.getClassName() === 'Dropout');
}

/** Kernel [kh, kw, cin, cout] with its input channels in reverse order (RGB weights ↔ BGR weights). */
function flipInputChannels(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let p = 0; p < kh * kw; p++)
    for (let c = 0; c < cin; c++)
      for (let o = 0; o < cout; o++) out[(p * cin + c) * cout + o] = k[(p * cin + (cin - 1 - c)) * cout + o]!;
  return out;
}

/**
 * Class-activation maps from the last conv block A [1,h,w,c] and the classifier kernel.
 * Flatten head: W is [h*w*c, K] in row-major (h, w, c) order, so map_k = Σ_c A ⊙ W[h,w,c,k];
 * the logits are the sum of the map plus the bias. GAP head: W is [c, K], the standard CAM,
 * a 1×1 convolution; the logits are the map's mean plus the bias.
 */
function addHeatmap(g: GraphBuilder, features: string, shape: number[], pooling: 'flatten' | 'gap', kernel: tf.Tensor2D): void {
  const [, h, w, c] = shape as [unknown, number, number, number];
  const classes = kernel.shape[1];
  const weights = kernel.dataSync() as Float32Array;
  if (pooling === 'flatten') {
    if (kernel.shape[0] !== h * w * c) return; // a hidden Dense in between: no exact map
    const w4 = g.constant('heatmap/weights', weights, [h, w, c, classes]);
    const expanded = g.op('ExpandDims', 'heatmap/expand', [features, g.constant('heatmap/expand_axis', Int32Array.from([4]), [])], { Tdim: attr.dtype('int32') });
    const product = g.op('Mul', 'heatmap/product', [expanded, w4]);
    g.op('Sum', OUTPUT_NAMES.heatmap, [product, g.constant('heatmap/sum_axis', Int32Array.from([3]), [1])], { keep_dims: attr.bool(false), Tidx: attr.dtype('int32') });
  } else {
    if (kernel.shape[0] !== c) return;
    const k = g.constant('heatmap/weights', weights, [1, 1, c, classes]);
    g.op('Conv2D', OUTPUT_NAMES.heatmap, [features, k], {
      strides: attr.ints([1, 1, 1, 1]),
      padding: attr.str('VALID'),
      data_format: attr.str('NHWC'),
      dilations: attr.ints([1, 1, 1, 1]),
    });
  }
}
