/**
 * A small but real TF.js graph model written to disk the way the exporter lays one out:
 * content-hashed shards, model.json, metadata.json with sha256s. tfjs-converter loads it, so the
 * delivery tests can prove the bytes they assemble run and give the right numbers.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METADATA_SCHEMA_VERSION, type ModelMetadata } from '@respidetect/contract';

export const IN = 4;
export const HIDDEN = 128;
export const OUT = 2;

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Deterministic weights so expected outputs can be computed in plain JS. */
function weights(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 1000 + i * 0.37) * 0.2;
  return a;
}

const dim = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
const konst = (name: string, ...shape: number[]) => ({
  name,
  op: 'Const',
  attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(...shape) } }, dtype: { type: 'DT_FLOAT' } },
});
const matmul = (name: string, a: string, b: string) => ({
  name,
  op: 'MatMul',
  input: [a, b],
  attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } },
});

export interface FixtureModel {
  dir: string;
  metadata: ModelMetadata;
  shards: string[];
  w1: Float32Array;
  w2: Float32Array;
  w3: Float32Array;
  /** The graph's output for one input row, computed in float64 JS. */
  expected(x: number[]): number[];
}

/** Writes the model into a fresh temp dir; `shardBytes` sets the shard size (the exporter's is 4 MiB). */
export function writeFixtureModel(opts: { shardBytes?: number; seed?: number } = {}): FixtureModel {
  const seed = opts.seed ?? 1;
  const shardBytes = opts.shardBytes ?? 32 * 1024;
  const dir = mkdtempSync(join(tmpdir(), 'respidetect-delivery-'));
  const w1 = weights(IN * HIDDEN, seed);
  const w2 = weights(HIDDEN * HIDDEN, seed + 1);
  const w3 = weights(HIDDEN * OUT, seed + 2);
  const data = new Uint8Array(w1.byteLength + w2.byteLength + w3.byteLength);
  data.set(new Uint8Array(w1.buffer), 0);
  data.set(new Uint8Array(w2.buffer), w1.byteLength);
  data.set(new Uint8Array(w3.buffer), w1.byteLength + w2.byteLength);

  const shards: string[] = [];
  const hashes: Record<string, string> = {};
  const count = Math.ceil(data.byteLength / shardBytes);
  for (let i = 0; i < count; i++) {
    const bytes = data.subarray(i * shardBytes, Math.min(data.byteLength, (i + 1) * shardBytes));
    const h = sha(bytes);
    const name = `group1-shard${i + 1}of${count}.${h.slice(0, 16)}.bin`;
    writeFileSync(join(dir, name), bytes);
    shards.push(name);
    hashes[name] = h;
  }

  const modelJson = JSON.stringify({
    format: 'graph-model',
    generatedBy: 'respidetect test fixture',
    convertedBy: null,
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(-1, IN) } } },
        konst('w1', IN, HIDDEN),
        konst('w2', HIDDEN, HIDDEN),
        konst('w3', HIDDEN, OUT),
        matmul('h1', 'x', 'w1'),
        matmul('h2', 'h1', 'w2'),
        matmul('y', 'h2', 'w3'),
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [
      {
        paths: shards,
        weights: [
          { name: 'w1', shape: [IN, HIDDEN], dtype: 'float32' },
          { name: 'w2', shape: [HIDDEN, HIDDEN], dtype: 'float32' },
          { name: 'w3', shape: [HIDDEN, OUT], dtype: 'float32' },
        ],
      },
    ],
  });
  writeFileSync(join(dir, 'model.json'), modelJson);
  const modelJsonHash = sha(modelJson);
  const metadata: ModelMetadata = {
    schemaVersion: METADATA_SCHEMA_VERSION,
    modelId: sha(modelJsonHash + Object.values(hashes).join('')).slice(0, 16),
    classNames: ['adenocarcinoma', 'normal'],
    positiveClass: 0,
    inputSize: 32,
    pixelFormat: 'rgb-0-255',
    weightDtype: 'float32',
    hashes: { modelJson: modelJsonHash, weights: hashes },
    datasetVersion: 'fixture',
    metrics: { accuracy: 0.5 },
    decisionThreshold: 0.5,
    temperature: 1,
    createdAt: new Date(Date.UTC(2024, 0, seed)).toISOString(),
    trainingRunId: `fixture-${seed}`,
    outputs: { probabilities: 'y' },
    architecture: 'fixture-mlp',
    versions: { tfjs: '4.22.0', training: 'fixture' },
  };
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2));

  const mm = (x: number[], w: Float32Array, cols: number) =>
    Array.from({ length: cols }, (_, j) => x.reduce((s, xi, i) => s + xi * w[i * cols + j]!, 0));
  return { dir, metadata, shards, w1, w2, w3, expected: (x) => mm(mm(mm(x, w1, HIDDEN), w2, HIDDEN), w3, OUT) };
}
