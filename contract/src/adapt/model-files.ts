/**
 * Facts about a graph-model folder that every writer must share: how a shard file is named (a
 * content hash in the name, so it can be cached forever) and how the model id is derived from the
 * exact bytes (model.json's hash and every shard's). Training's exporter and the browser's
 * adaptation both write folders with these.
 */
import { sha256HexSync } from '../util/sha256';

export const shardFileName = (index: number, count: number, sha256: string): string => `group1-shard${index + 1}of${count}.${sha256.slice(0, 16)}.bin`;

/** The id names exactly these bytes: model.json (which lists the hashed shard names) and every shard. */
export const modelIdOf = (modelJsonSha256: string, shardSha256s: readonly string[]): string => sha256HexSync([modelJsonSha256, ...shardSha256s].join('\n')).slice(0, 16);
