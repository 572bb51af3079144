/**
 * Named constants → weight shards + weightsManifest, in the format tfjs' loadGraphModel reads:
 * one byte stream (entries in manifest order) cut into fixed-size shards. Shard names carry a
 * content hash so servers and service workers can cache them forever.
 */
import { shardFileName, type WeightDtype } from '@respidetect/contract';
import { sha256Hex } from '../util/hash';
import type { ConstTensor } from './graph-def';
import { encodeFloat16 } from './float16';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'float16' } | { dtype: 'uint8'; min: number; scale: number };
}

export interface Shard {
  fileName: string;
  bytes: Uint8Array;
  sha256: string;
}

export interface WrittenWeights {
  manifest: { paths: string[]; weights: WeightEntry[] }[];
  shards: Shard[];
  totalBytes: number;
}

function encode(t: ConstTensor, dtype: WeightDtype): { entry: WeightEntry; bytes: Uint8Array } {
  const base = { name: t.name, shape: t.shape, dtype: t.dtype };
  // Integer constants (shapes, axes) are never quantized: they must stay exact.
  if (t.dtype === 'int32' || dtype === 'float32') return { entry: base, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
  const values = t.data as Float32Array;
  if (dtype === 'float16') {
    const half = encodeFloat16(values);
    return { entry: { ...base, quantization: { dtype: 'float16' } }, bytes: new Uint8Array(half.buffer) };
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = max > min ? (max - min) / 255 : 1;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.round((values[i]! - min) / scale);
  return { entry: { ...base, quantization: { dtype: 'uint8', min, scale } }, bytes: q };
}

const BYTES_PER_VALUE: Record<WeightDtype, number> = { float32: 4, float16: 2, uint8: 1 };

/** Bytes the weights take in `dtype`, without encoding them (int32 constants never shrink). */
export function weightBytes(consts: readonly ConstTensor[], dtype: WeightDtype): number {
  return consts.reduce((n, c) => n + c.data.length * (c.dtype === 'int32' ? 4 : BYTES_PER_VALUE[dtype]), 0);
}

export function writeWeights(consts: ConstTensor[], dtype: WeightDtype, shardBytes: number): WrittenWeights {
  if (!(shardBytes >= 1024)) throw new Error(`export: shard size must be at least 1 KiB, got ${shardBytes} bytes`);
  const encoded = consts.map((c) => encode(c, dtype));
  const total = encoded.reduce((n, e) => n + e.bytes.byteLength, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const e of encoded) {
    all.set(e.bytes, offset);
    offset += e.bytes.byteLength;
  }
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const shards: Shard[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes));
    const sha256 = sha256Hex(bytes);
    shards.push({ fileName: shardFileName(i, count, sha256), bytes, sha256 });
  }
  return { manifest: [{ paths: shards.map((s) => s.fileName), weights: encoded.map((e) => e.entry) }], shards, totalBytes: total };
}
