/**
 * The classifier head inside an exported graph model (training/src/export/layers-to-graph.ts):
 * `logits` is a _FusedMatMul(features, kernel, bias); the heatmap, when there is one, holds the same
 * kernel reshaped ([h,w,c,K] for a Flatten head, [1,1,c,K] for GAP: the same row-major bytes).
 * Adaptation trains a new kernel and bias on `features` and writes them back here, so the adapted
 * model is the parent's graph with only the head's tensors changed.
 */
import { modelIdOf, shardFileName } from './model-files';
import type { ModelJson, WeightsManifestEntry } from '../model-files/model-json';
import { sha256HexSync } from '../util/sha256';

export interface GraphNodeJson {
  name: string;
  op: string;
  input?: string[];
}

/** model.json is the contract's ModelJson (model-files/model-json.ts); this name stays for the adapt worker until it imports ModelJson. */
export type GraphModelJson = ModelJson;

export interface HeadLocation {
  /** The node whose output the head reads: adaptation computes it once per image. */
  features: string;
  kernel: string;
  bias: string;
  /** The heatmap's copy of the kernel, or null when the model has no heatmap. */
  heatmapWeights: string | null;
  /** Feature length D and classes K: kernel [D, K]. */
  dim: number;
  classes: number;
}

const nodeName = (input: string) => input.replace(/^\^/, '').replace(/:\d+$/, '');

function nodesOf(model: ModelJson): Map<string, GraphNodeJson> {
  const topo = model.modelTopology as { node?: GraphNodeJson[] } | null;
  if (!topo || !Array.isArray(topo.node)) throw new Error('model.json: modelTopology has no node list');
  return new Map(topo.node.map((n) => [n.name, n]));
}

const entries = (model: ModelJson) => model.weightsManifest.flatMap((g) => g.weights);

export function locateHead(model: ModelJson, outputs: { logits?: string; heatmap?: string }): HeadLocation {
  if (!outputs.logits) throw new Error('this model names no logits output in metadata.json, so its head cannot be found and adapted');
  const nodes = nodesOf(model);
  const logits = nodes.get(outputs.logits);
  if (!logits || logits.op !== '_FusedMatMul' || (logits.input ?? []).length < 3)
    throw new Error(`model.json: the logits node "${outputs.logits}" is not a dense layer (_FusedMatMul with a bias); only such heads can be adapted`);
  const [features, kernel, bias] = logits.input!.map(nodeName) as [string, string, string];
  const shapes = new Map(entries(model).map((e) => [e.name, e.shape]));
  const kShape = shapes.get(kernel);
  if (!kShape || kShape.length !== 2 || !shapes.has(bias)) throw new Error(`model.json: the head's kernel "${kernel}" or bias "${bias}" is not in the weights manifest`);
  const [dim, classes] = kShape as [number, number];
  let heatmapWeights: string | null = null;
  const heat = outputs.heatmap ? nodes.get(outputs.heatmap) : undefined;
  if (heat) {
    // GAP head: Conv2D(features, weights); Flatten head: Sum(Mul(expanded, weights), axis).
    const holder = heat.op === 'Conv2D' ? heat : nodes.get(nodeName(heat.input?.[0] ?? ''));
    const w = holder ? nodeName(holder.input?.[1] ?? '') : '';
    const size = shapes.get(w)?.reduce((a, b) => a * b, 1);
    if (size !== dim * classes) throw new Error(`model.json: the heatmap's weights "${w}" do not hold the head's ${dim}×${classes} kernel; this heatmap cannot follow the adapted head`);
    heatmapWeights = w;
  }
  return { features, kernel, bias, heatmapWeights, dim, classes };
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint8: 1 };

function storedBytes(e: WeightsManifestEntry): number {
  const t = e.quantization?.dtype ?? e.dtype;
  const b = STORED_BYTES[t];
  if (b === undefined) throw new Error(`model.json: weight "${e.name}" is stored as ${t}, which adaptation cannot rewrite`);
  return e.shape.reduce((a, s) => a * s, 1) * b;
}

export interface WrittenFolder {
  modelJsonText: string;
  modelJsonSha256: string;
  shards: { fileName: string; bytes: Uint8Array; sha256: string }[];
  modelId: string;
}

/**
 * The parent's model.json and weight bytes with `replace`d tensors (name → float32 values). Replaced
 * tensors are stored as float32 whatever the parent's dtype, so the adapted head in the file is
 * exactly the head that was evaluated; every other tensor keeps its bytes. The stream is re-cut into
 * shards of `shardBytes`: shards before the head come out byte-identical to the parent's cut.
 */
export function rewriteWeights(model: ModelJson, weightData: Uint8Array, replace: ReadonlyMap<string, Float32Array>, shardBytes: number, generatedBy: string): WrittenFolder {
  const parts: Uint8Array[] = [];
  const newEntries: WeightsManifestEntry[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const e of entries(model)) {
    const n = storedBytes(e);
    const values = replace.get(e.name);
    if (values) {
      const size = e.shape.reduce((a, s) => a * s, 1);
      if (values.length !== size) throw new Error(`adapt: new values for "${e.name}" have ${values.length} elements, the graph needs ${size}`);
      parts.push(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
      newEntries.push({ name: e.name, shape: e.shape, dtype: 'float32' });
      seen.add(e.name);
    } else {
      parts.push(weightData.subarray(offset, offset + n));
      newEntries.push(e);
    }
    offset += n;
  }
  if (offset !== weightData.byteLength) throw new Error(`adapt: the weights manifest describes ${offset} bytes but the model holds ${weightData.byteLength}`);
  const missing = [...replace.keys()].filter((k) => !seen.has(k));
  if (missing.length) throw new Error(`adapt: ${missing.join(', ')} not in the weights manifest`);
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const cut = Array.from({ length: count }, (_, i) => all.slice(i * shardBytes, Math.min(total, (i + 1) * shardBytes)));
  const shards = cut.map((bytes, i) => {
    const sha256 = sha256HexSync(bytes);
    return { fileName: shardFileName(i, count, sha256), bytes, sha256 };
  });
  const modelJson = { ...model, generatedBy, weightsManifest: [{ paths: shards.map((s) => s.fileName), weights: newEntries }] };
  const modelJsonText = JSON.stringify(modelJson);
  const modelJsonSha256 = sha256HexSync(modelJsonText);
  return { modelJsonText, modelJsonSha256, shards, modelId: modelIdOf(modelJsonSha256, shards.map((s) => s.sha256)) };
}
