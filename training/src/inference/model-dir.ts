/**
 * An exported model directory, read and checked against its metadata.json: the contract's
 * schema, and the sha256 of model.json and of every shard. No tfjs here, so build steps (the
 * Docker image's model bake) can check a model without loading it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelMetadata, type ModelMetadata } from '@respidetect/contract';
import { sha256Hex } from '../util/hash';

export interface ModelJsonFile {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
  signature?: unknown;
}

export interface VerifiedModelDir {
  metadata: ModelMetadata;
  modelJson: ModelJsonFile;
  /** The shards' bytes concatenated in manifest order: tfjs' weightData. */
  weightData: Buffer;
}

function readChecked(dir: string, file: string, expected: string): Buffer {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${path}: listed in metadata.json but missing`);
  const bytes = readFileSync(path);
  const actual = sha256Hex(bytes);
  if (actual !== expected)
    throw new Error(`${path}: sha256 ${actual} does not match metadata.json (which records ${expected}). A file whose sha256 does not match is corrupt or tampered with.`);
  return bytes;
}

export function readVerifiedModelDir(dir: string): VerifiedModelDir {
  const metaPath = join(dir, 'metadata.json');
  if (!existsSync(metaPath)) throw new Error(`${metaPath}: missing; a model directory needs model.json, its shards and metadata.json`);
  let metadata: ModelMetadata;
  try {
    metadata = parseModelMetadata(JSON.parse(readFileSync(metaPath, 'utf8')));
  } catch (err) {
    throw new Error(`${metaPath}: ${(err as Error).message}`, { cause: err });
  }
  const modelJson = JSON.parse(readChecked(dir, 'model.json', metadata.hashes.modelJson).toString('utf8')) as ModelJsonFile;
  const shards = modelJson.weightsManifest.flatMap((g) => g.paths);
  const unlisted = shards.filter((p) => !metadata.hashes.weights[p]);
  if (unlisted.length) throw new Error(`${join(dir, 'model.json')}: shards not listed in metadata.json hashes: ${unlisted.join(', ')}`);
  const extra = Object.keys(metadata.hashes.weights).filter((p) => !shards.includes(p));
  if (extra.length) throw new Error(`${metaPath}: hashes for files model.json does not use: ${extra.join(', ')}`);
  const weightData = Buffer.concat(shards.map((p) => readChecked(dir, p, metadata.hashes.weights[p]!)));
  return { metadata, modelJson, weightData };
}

/** Throws, naming the file and the problem, unless `dir` holds a complete, untampered model. */
export function verifyModelDir(dir: string): void {
  readVerifiedModelDir(dir);
}
