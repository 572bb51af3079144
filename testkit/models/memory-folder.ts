/**
 * A small model folder in memory for the contract's tests: metadata.json that passes the schema,
 * model.json with a two-shard weights manifest, and the shards, with real sha256s (node:crypto;
 * the contract itself takes the hash function from its caller). Not a runnable graph: the app's
 * and training's tests load real models; these test the checks.
 */
import { createHash } from 'node:crypto';
import type { ModelMetadata } from '../../contract/src/metadata';
import { validMetadata } from './metadata-fixture';

export const nodeSha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export interface MemoryModelFolder {
  files: Map<string, Uint8Array>;
  metadata: ModelMetadata;
  shards: string[];
  weightBytes: number;
}

const text = (s: string) => new TextEncoder().encode(s);

export function modelFolder(): MemoryModelFolder {
  // Two float32 weights of 300 and 200 values, split 1000 + 1000 bytes across two shards.
  const weights = Uint8Array.from({ length: 2000 }, (_, i) => (i * 37 + 11) & 0xff);
  const parts = [weights.subarray(0, 1000), weights.subarray(1000)];
  const shards = parts.map((p, i) => `group1-shard${i + 1}of2.${nodeSha256(p).slice(0, 16)}.bin`);
  const modelJson = text(
    JSON.stringify({
      format: 'graph-model',
      modelTopology: { node: [] },
      weightsManifest: [{ paths: shards, weights: [{ name: 'w1', shape: [300], dtype: 'float32' }, { name: 'w2', shape: [200], dtype: 'float32' }] }],
    }),
  );
  const metadata = validMetadata({
    weightDtype: 'float32',
    hashes: { modelJson: nodeSha256(modelJson), weights: Object.fromEntries(shards.map((s, i) => [s, nodeSha256(parts[i]!)])) },
    metrics: { accuracy: 0.5 },
    decisionThreshold: 0.5,
    temperature: 1,
    architecture: 'test',
  });
  const files = new Map<string, Uint8Array>([
    ['metadata.json', text(JSON.stringify(metadata))],
    ['model.json', modelJson],
    ...shards.map((s, i): [string, Uint8Array] => [s, parts[i]!]),
  ]);
  return { files, metadata, shards, weightBytes: weights.byteLength };
}
