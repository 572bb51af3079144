/**
 * A model the user drops from disk: model.json, its shards and metadata.json together. The same
 * checks as a download (schema, every sha256, manifest size), and nothing is cached or pinned:
 * a local model is used for this session only.
 */
import { MetadataError, parseModelMetadata, type ModelMetadata } from '@respidetect/contract';
import { ModelIntegrityError } from './errors';
import type { VerifiedModelFiles } from './fetch-model';
import { checkShardsMatchMetadata, joinShards, parseModelJson, shardPaths } from './model-json';
import { sha256Hex } from './sha256';

/** The last path segment: browsers give bare names, folder drops may carry relative paths. */
const baseName = (name: string) => name.slice(name.replace(/\\/g, '/').lastIndexOf('/') + 1);

export async function verifyLocalModelFiles(files: readonly File[]): Promise<VerifiedModelFiles> {
  const byName = new Map<string, File>();
  for (const f of files) {
    const name = baseName(f.name);
    if (byName.has(name)) throw new ModelIntegrityError(name, 'was dropped twice; drop one copy of each model file');
    byName.set(name, f);
  }
  const metaFile = byName.get('metadata.json');
  const modelFile = byName.get('model.json');
  if (!metaFile || !modelFile) {
    const missing = [!modelFile && 'model.json', !metaFile && 'metadata.json'].filter(Boolean).join(' and ');
    throw new ModelIntegrityError(missing, 'is missing: drop model.json, its .bin shards and metadata.json together');
  }

  let metadata: ModelMetadata;
  try {
    metadata = parseModelMetadata(JSON.parse(await metaFile.text()));
  } catch (e) {
    if (e instanceof MetadataError) throw new ModelIntegrityError('metadata.json', e.message.replace(/^metadata\.json: /, ''));
    throw new ModelIntegrityError('metadata.json', `is not valid JSON (${(e as Error).message})`);
  }

  const modelBytes = new Uint8Array(await modelFile.arrayBuffer());
  const modelHash = await sha256Hex(modelBytes);
  if (modelHash !== metadata.hashes.modelJson)
    throw new ModelIntegrityError('model.json', `sha256 ${modelHash.slice(0, 12)}… does not match metadata.json (${metadata.hashes.modelJson.slice(0, 12)}…): the files come from different exports or were modified`);
  const modelJson = parseModelJson(new TextDecoder().decode(modelBytes));
  checkShardsMatchMetadata(modelJson, metadata);

  const paths = shardPaths(modelJson);
  const absent = paths.filter((p) => !byName.has(baseName(p)));
  if (absent.length > 0) throw new ModelIntegrityError(absent.join(', '), 'is listed in model.json but was not among the dropped files');

  const parts: Uint8Array[] = [];
  for (const p of paths) {
    const bytes = new Uint8Array(await byName.get(baseName(p))!.arrayBuffer());
    const got = await sha256Hex(bytes);
    const expected = metadata.hashes.weights[p]!;
    if (got !== expected)
      throw new ModelIntegrityError(baseName(p), `sha256 ${got.slice(0, 12)}… does not match metadata.json (${expected.slice(0, 12)}…): the shard is corrupted or from another export`);
    parts.push(bytes);
  }
  const weightData = joinShards(modelJson, parts);
  return { metadata, modelJson, weightData: weightData.buffer, stats: { networkBytes: 0, cachedBytes: 0, refetched: [] } };
}
