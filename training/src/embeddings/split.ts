/**
 * Split points: features can be taken from an intermediate base layer instead of the base's output.
 * Fine-tuning block5 trains block5 itself, so what stays frozen — and is worth caching — ends at
 * block4_pool.
 */
import type * as tfc from '@tensorflow/tfjs';
import type { BaseInfo } from '../model/base-artifact';
import { VGG16_BLOCKS } from '../model/vgg16';

/** The base's last layer name, or undefined when the caller asked for the base's own output. */
const isOutput = (info: BaseInfo, layer: string) => info.layers[info.layers.length - 1] === layer;

/** Per-image shape of `layer`'s output, [h, w, c]; only the pooling layers are split points. */
export function splitShape(info: BaseInfo, layer: string | undefined): number[] {
  if (layer === undefined || isOutput(info, layer)) return info.featureShape;
  const m = /^block(\d)_pool$/.exec(layer);
  const block = m ? VGG16_BLOCKS.find(([b]) => b === Number(m[1])) : undefined;
  if (!block || !info.layers.includes(layer))
    throw new Error(`features: "${layer}" is not a split point of the base; use one of ${info.layers.filter((l) => l.endsWith('_pool')).join(', ')}`);
  const s = info.imageSize / 2 ** block[0];
  return [s, s, block[2]];
}

/** The base up to and including `layer` (sharing its weights), or the base itself. */
export function truncateBase(tf: typeof tfc, base: tfc.LayersModel, layer: string | undefined): tfc.LayersModel {
  if (layer === undefined || base.layers[base.layers.length - 1]!.name === layer) return base;
  return tf.model({ inputs: base.inputs, outputs: base.getLayer(layer).output as tfc.SymbolicTensor, name: `${base.name}_to_${layer}` });
}

/** Cache-key part: undefined for the base's output, so its cache entries keep their old keys. */
export const splitKey = (info: BaseInfo, layer: string | undefined): string | undefined => (layer === undefined || isOutput(info, layer) ? undefined : layer);
