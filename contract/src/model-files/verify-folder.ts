/**
 * A model folder checked against its metadata.json, wherever its bytes come from (files a user
 * dropped, a directory on disk): metadata.json must be the contract, model.json and every shard it
 * lists must have the sha256 metadata.json records, and the shards must hold the bytes the weights
 * manifest describes. Bytes in, verdict out: the caller reads the files and brings the sha256 (the
 * browser's WebCrypto, Node's crypto), since the contract may use neither.
 *
 * The app's download path (fetch-model.ts) checks the same things file by file, with retries in
 * between, through the same pieces: readMetadataJson, checkSha256, parseModelJson,
 * checkShardsMatchMetadata and joinShards.
 */
import { MetadataError, parseModelMetadata, type ModelMetadata } from '../metadata';
import { utf8 } from '../util/utf8';
import { ModelFileError } from './model-file-error';
import { checkShardsMatchMetadata, joinShards, parseModelJson, shardPaths, type ModelJson } from './model-json';

/** sha256 as lowercase hex; synchronous (Node) or not (WebCrypto). */
export type Sha256Hex = (bytes: Uint8Array) => string | Promise<string>;

export interface ModelFolder {
  /** A file's bytes by the name model.json / metadata.json use for it; undefined when it is absent. */
  read(file: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** How this source says a listed file is absent, e.g. "was not among the dropped files". */
  absent: string;
  /** How errors name a file, e.g. by its full path on disk; default: as the model folder names it. */
  name?: (file: string) => string;
}

export interface VerifiedModelFolder {
  metadata: ModelMetadata;
  modelJson: ModelJson;
  /** All shards concatenated in manifest order: what tf.io.fromMemory takes as weightData. */
  weightData: Uint8Array<ArrayBuffer>;
}

/** metadata.json's bytes → the validated metadata, or a ModelFileError (bad-json | schema). */
export function readMetadataJson(bytes: Uint8Array): ModelMetadata {
  let json: unknown;
  try {
    json = JSON.parse(utf8(bytes));
  } catch (e) {
    throw new ModelFileError('metadata.json', 'bad-json', `is not valid JSON (${(e as Error).message})`);
  }
  try {
    return parseModelMetadata(json);
  } catch (e) {
    if (e instanceof MetadataError) throw new ModelFileError('metadata.json', 'schema', e.message.replace(/^metadata\.json: /, ''), { cause: e });
    throw e;
  }
}

/** Throws a ModelFileError (hash-mismatch) naming `file` unless its bytes have the sha256 metadata.json records. */
export async function checkSha256(file: string, bytes: Uint8Array, expected: string, sha256: Sha256Hex): Promise<void> {
  const got = await sha256(bytes);
  if (got !== expected)
    throw new ModelFileError(
      file,
      'hash-mismatch',
      `sha256 ${got} does not match metadata.json (which records ${expected}): a file whose sha256 does not match is corrupt, tampered with or from another export`,
    );
}

/** A file's bytes, or a ModelFileError (missing) saying why the file was expected. */
async function need(folder: ModelFolder, file: string, problem: string): Promise<Uint8Array> {
  const bytes = await folder.read(file);
  if (bytes === undefined) throw new ModelFileError(file, 'missing', problem);
  return bytes;
}

const TRIO = 'is missing: a model is model.json, its .bin shards and metadata.json, together';

/** The folder's model, verified, or a ModelFileError naming the first file that fails (by folder.name). */
export async function verifyModelFolder(folder: ModelFolder, sha256: Sha256Hex): Promise<VerifiedModelFolder> {
  try {
    return await verify(folder, sha256);
  } catch (e) {
    if (e instanceof ModelFileError && folder.name) throw new ModelFileError(folder.name(e.file), e.kind, e.problem, { cause: e });
    throw e;
  }
}

async function verify(folder: ModelFolder, sha256: Sha256Hex): Promise<VerifiedModelFolder> {
  const metadata = readMetadataJson(await need(folder, 'metadata.json', TRIO));
  const modelBytes = await need(folder, 'model.json', TRIO);
  await checkSha256('model.json', modelBytes, metadata.hashes.modelJson, sha256);
  const modelJson = parseModelJson(modelBytes);
  checkShardsMatchMetadata(modelJson, metadata);
  const parts: Uint8Array[] = [];
  for (const p of shardPaths(modelJson)) {
    const bytes = await need(folder, p, `is listed in model.json but ${folder.absent}`);
    await checkSha256(p, bytes, metadata.hashes.weights[p]!, sha256);
    parts.push(bytes);
  }
  return { metadata, modelJson, weightData: joinShards(modelJson, parts) };
}
