/**
 * model.json as tf.loadGraphModel reads it: the graph plus a weights manifest naming the shard
 * files in the order their bytes are concatenated. Parsed defensively because it arrives over the
 * network or from a user's drop.
 */
import type { ModelMetadata } from '../metadata';
import { utf8 } from '../util/utf8';
import { ModelFileError } from './model-file-error';

export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightsManifestEntry[];
}

export interface ModelJson {
  modelTopology: unknown;
  weightsManifest: WeightsManifestGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bytes per element as stored in a shard: the quantized dtype when there is one, else the weight's. */
const STORED_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** model.json's text (or bytes) → its graph and weights manifest, or a ModelFileError (bad-json | schema). */
export function parseModelJson(text: string | Uint8Array, file = 'model.json'): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : utf8(text));
  } catch (e) {
    throw new ModelFileError(file, 'bad-json', `is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw new ModelFileError(file, 'schema', 'must be a JSON object');
  if (json.modelTopology === undefined) throw new ModelFileError(file, 'schema', 'has no modelTopology');
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new ModelFileError(file, 'schema', 'has no weightsManifest array');
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group)) throw new ModelFileError(file, 'schema', `weightsManifest[${g}] must be an object`);
    const { paths, weights } = group;
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p.length === 0))
      throw new ModelFileError(file, 'schema', `weightsManifest[${g}].paths must be an array of file names`);
    if (!Array.isArray(weights)) throw new ModelFileError(file, 'schema', `weightsManifest[${g}].weights must be an array`);
    weights.forEach((w: unknown, i) => {
      const where = `weightsManifest[${g}].weights[${i}]`;
      if (!isObject(w) || typeof w.name !== 'string' || typeof w.dtype !== 'string' || !Array.isArray(w.shape))
        throw new ModelFileError(file, 'schema', `${where} must have name, dtype and shape`);
      if (w.shape.some((d) => !Number.isInteger(d) || (d as number) < 0))
        throw new ModelFileError(file, 'schema', `${where} (${w.name}) has a bad shape ${JSON.stringify(w.shape)}`);
    });
  });
  return json as unknown as ModelJson;
}

/** Shard paths in the order tf.io concatenates them: group by group, path by path. */
export function shardPaths(model: ModelJson): string[] {
  return model.weightsManifest.flatMap((g) => g.paths);
}

/**
 * Total weight bytes the manifest describes, or null when it cannot be known in advance
 * (string tensors are length-prefixed). Used for progress and as a size check of the shards.
 */
export function expectedWeightBytes(model: ModelJson): number | null {
  let total = 0;
  for (const group of model.weightsManifest) {
    for (const w of group.weights) {
      const stored = w.quantization?.dtype ?? w.dtype;
      const bytes = STORED_BYTES[stored];
      if (bytes === undefined) return null;
      total += w.shape.reduce((a, b) => a * b, 1) * bytes;
    }
  }
  return total;
}

/**
 * The verified shards, in manifest order, as the one weight buffer tfjs expects; their total size
 * must be what the manifest describes (a shard of the right hash but another export's layout
 * would otherwise load as garbage).
 */
export function joinShards(model: ModelJson, parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const size = parts.reduce((a, p) => a + p.byteLength, 0);
  const expected = expectedWeightBytes(model);
  if (expected !== null && size !== expected)
    throw new ModelFileError('model.json', 'size-mismatch', `its weights manifest describes ${expected} bytes but the shards hold ${size}`);
  const weightData = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.byteLength;
  }
  return weightData;
}

/**
 * model.json and metadata.json must describe the same shards: every shard has a hash, and every
 * hash belongs to a shard. A mismatch means the two files come from different exports.
 */
export function checkShardsMatchMetadata(model: ModelJson, metadata: ModelMetadata): void {
  const paths = shardPaths(model);
  const hashed = Object.keys(metadata.hashes.weights);
  const missing = paths.filter((p) => !(p in metadata.hashes.weights));
  if (missing.length > 0)
    throw new ModelFileError('metadata.json', 'manifest-mismatch', `has no sha256 for shard(s) ${missing.join(', ')} listed in model.json`);
  const extra = hashed.filter((h) => !paths.includes(h));
  if (extra.length > 0)
    throw new ModelFileError('model.json', 'manifest-mismatch', `does not list shard(s) ${extra.join(', ')} that metadata.json has hashes for`);
}
