/**
 * A model folder checked against its metadata.json, wherever its bytes come from (files a user
 * dropped, a directory on disk): metadata.json must be the contract, model.json and every shard it
 * lists must have the sha256 metadata.json records, and the shards must hold the bytes the weights
 * manifest describes. Bytes in, verdict out: the caller reads the files and brings the sha256 (the
 * browser's WebCrypto, Node's crypto), since the contract may use neither. verifyModelFolder takes
 * asynchronous reads and hashing (File, WebCrypto); verifyModelFolderSync, Node's synchronous ones.
 *
 * The app's download path (fetch-model.ts) checks the same things file by file, with retries in
 * between, through the same pieces: readMetadataJson, parseModelJson, checkShardsMatchMetadata and
 * joinShards.
 */
import { checkMetadataBytes, MetadataError, parseModelMetadata, type ModelMetadata } from '../metadata';
import { utf8 } from '../util/utf8';
import { ModelFileError } from './model-file-error';
import { checkShardsMatchMetadata, joinShards, parseModelJson, shardPaths, type ModelJson } from './model-json';

/** A model folder as its caller reads it: in the browser asynchronously (File, WebCrypto). */
export interface ModelFolder {
  /** A file's bytes by the name model.json / metadata.json use for it; undefined when it is absent. */
  read(file: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** How this source says a listed file is absent, e.g. "was not among the dropped files". */
  absent: string;
  /** How errors name a file, e.g. by its full path on disk; default: as the model folder names it. */
  name?: (file: string) => string;
}

/** The same, read synchronously (Node's fs and crypto), for build steps and CLIs that check before going on. */
export interface ModelFolderSync extends ModelFolder {
  read(file: string): Uint8Array | undefined;
}

export interface VerifiedModelFolder {
  metadata: ModelMetadata;
  modelJson: ModelJson;
  /** All shards concatenated in manifest order: what tf.io.fromMemory takes as weightData. */
  weightData: Uint8Array<ArrayBuffer>;
}

/** metadata.json's bytes → the validated metadata, or a ModelFileError (too-large | bad-json | schema | inconsistent). */
export function readMetadataJson(bytes: Uint8Array): ModelMetadata {
  checkMetadataBytes(bytes.byteLength);
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

/**
 * The check, written once as a sequence of requests to its caller (a file's bytes, or a sha256), so
 * that one text serves the browser, whose reads and sha256 are asynchronous, and Node, whose are not.
 */
type Request = { read: string } | { sha256Of: Uint8Array };
type Steps<T> = Generator<Request, T, unknown>;

const TRIO = 'is missing: a model is model.json, its .bin shards and metadata.json, together';

/** A file's bytes, or a ModelFileError (missing) saying why the file was expected. */
function* need(file: string, problem: string): Steps<Uint8Array> {
  const bytes = (yield { read: file }) as Uint8Array | undefined;
  if (bytes === undefined) throw new ModelFileError(file, 'missing', problem);
  return bytes;
}

/** A ModelFileError (hash-mismatch) naming `file` unless its bytes have the sha256 metadata.json records. */
function* checkSha256(file: string, bytes: Uint8Array, expected: string): Steps<void> {
  const got = (yield { sha256Of: bytes }) as string;
  if (got !== expected)
    throw new ModelFileError(
      file,
      'hash-mismatch',
      `sha256 ${got} does not match metadata.json (which records ${expected}): a file whose sha256 does not match is corrupt, tampered with or from another export`,
    );
}

function* verification(absent: string): Steps<VerifiedModelFolder> {
  const metadata = readMetadataJson(yield* need('metadata.json', TRIO));
  const modelBytes = yield* need('model.json', TRIO);
  yield* checkSha256('model.json', modelBytes, metadata.hashes.modelJson);
  const modelJson = parseModelJson(modelBytes);
  checkShardsMatchMetadata(modelJson, metadata);
  const parts: Uint8Array[] = [];
  for (const p of shardPaths(modelJson)) {
    const bytes = yield* need(p, `is listed in model.json but ${absent}`);
    yield* checkSha256(p, bytes, metadata.hashes.weights[p]!);
    parts.push(bytes);
  }
  return { metadata, modelJson, weightData: joinShards(modelJson, parts) };
}

/** Errors name files the folder's way (a path on disk) when it has one. */
function renamed(e: unknown, folder: ModelFolder): unknown {
  return e instanceof ModelFileError && folder.name ? new ModelFileError(folder.name(e.file), e.kind, e.problem, { cause: e }) : e;
}

/** The folder's model, verified, or a rejection with a ModelFileError naming the first file that fails. */
export async function verifyModelFolder(folder: ModelFolder, sha256: (bytes: Uint8Array) => string | Promise<string>): Promise<VerifiedModelFolder> {
  try {
    const steps = verification(folder.absent);
    let step = steps.next();
    while (!step.done) step = steps.next('read' in step.value ? await folder.read(step.value.read) : await sha256(step.value.sha256Of));
    return step.value;
  } catch (e) {
    throw renamed(e, folder);
  }
}

/** The same check, synchronously: the model, verified, or a thrown ModelFileError naming the first file that fails. */
export function verifyModelFolderSync(folder: ModelFolderSync, sha256: (bytes: Uint8Array) => string): VerifiedModelFolder {
  try {
    const steps = verification(folder.absent);
    let step = steps.next();
    while (!step.done) step = steps.next('read' in step.value ? folder.read(step.value.read) : sha256(step.value.sha256Of));
    return step.value;
  } catch (e) {
    throw renamed(e, folder);
  }
}
