/**
 * artifacts/base/: the prepared VGG16 base (model.json + weights.bin) and base.json, which says
 * which weights it holds. Feature extraction and training read the base from here, so only
 * prepare-base ever touches the .h5.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../util/atomic';
import { loadModel, saveModel } from './io';

export const DEFAULT_BASE_DIR = 'artifacts/base';

export interface BaseInfo {
  /** model.weights as given: 'imagenet', 'none' or a path. */
  weights: string;
  /** sha256 of the .h5, or `none-<seed>`: the weights' identity in every cache key. */
  weightsSha256: string;
  imageSize: number;
  /** Layer names in order, input layer included. */
  layers: string[];
  /** The base's output per image, [size/32, size/32, 512]. */
  featureShape: number[];
  createdAt: string;
}

export async function writeBase(dir: string, model: tf.LayersModel, info: Omit<BaseInfo, 'layers' | 'featureShape' | 'createdAt'>): Promise<BaseInfo> {
  await saveModel(model, dir);
  const out = model.outputs[0]!.shape.slice(1).map((d) => d ?? -1);
  const full: BaseInfo = { ...info, layers: model.layers.map((l) => l.name), featureShape: out, createdAt: new Date().toISOString() };
  // base.json last: its presence means the model next to it is complete.
  writeJsonAtomic(join(dir, 'base.json'), full);
  return full;
}

export function readBaseInfo(dir: string): BaseInfo {
  const file = join(dir, 'base.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`respidetect-train prepare-base\` first`);
  const info = JSON.parse(readFileSync(file, 'utf8')) as Partial<BaseInfo>;
  for (const k of ['weights', 'weightsSha256', 'imageSize', 'layers', 'featureShape'] as const)
    if (info[k] === undefined) throw new Error(`${file}: field "${k}" is missing; rerun prepare-base`);
  return info as BaseInfo;
}

export async function loadBase(dir: string): Promise<{ model: tf.LayersModel; info: BaseInfo }> {
  const info = readBaseInfo(dir);
  return { model: await loadModel(dir), info };
}
