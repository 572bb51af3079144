/**
 * One labelled file → what adaptation needs of it, computed once: the head's input features, the
 * deployed model's logits and OOD score (for the "before" report), and the grouping fingerprint
 * (dHash + thumbnail, the contract's, as ingest computes it). Decoding and the not-a-chest-CT check
 * are the classify path's; results are cached in IndexedDB by model id and image sha256.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { checkChestCt, fingerprintRgb, oodScore, prepareInput, preprocessOf, toRgb, type DecodedPixels, type ModelMetadata } from '@respidetect/contract';
import { DEFAULT_LUNG_WINDOW, MAX_FILE_BYTES } from '../../../config/limits';
import { decodeDicom } from '@respidetect/contract';
import * as tf from '@tensorflow/tfjs-core';
import { decodeRaster } from '../../../lib/decode-raster';
import { sniffBlob } from '../../../lib/sniff';
import { sha256Hex } from '../../../lib/sha256';
import { idbGet, idbPut, STORES } from './idb';

export interface Embedded {
  features: Float32Array;
  /** The deployed model's raw logits for this image. */
  logits: number[];
  oodScore: number | null;
  dhash: string;
  thumb: Uint8Array;
}

/** A file the not-a-chest-CT rule (or a one-slice rule) turned away: no features. */
export interface Refused {
  refused: string;
}

export class FileFailure extends Error {}
class RefusedError extends Error {}

export const cacheKey = (modelId: string, sha256: string) => `${modelId}:${sha256}`;

async function decode(file: File, bytes: ArrayBuffer): Promise<DecodedPixels> {
  const sniffed = await sniffBlob(file.name, file);
  if (sniffed.kind === 'dicom') {
    const d = decodeDicom(file.name, bytes, DEFAULT_LUNG_WINDOW);
    if (d.slices.length !== 1) throw new RefusedError(`a DICOM file with ${d.slices.length} slices; adaptation takes one labelled slice per file`);
    return d.slices[0]!;
  }
  return decodeRaster(file.name, file, sniffed.kind);
}

export interface HeadNodes {
  features: string;
  logits: string;
}

/** sha256 of the file, then the cached entry or a fresh computation (stored for next time). */
export async function embedFile(file: File, model: GraphModel, meta: ModelMetadata, nodes: HeadNodes): Promise<{ sha256: string; value: Embedded | Refused; cached: boolean }> {
  if (file.size > MAX_FILE_BYTES) throw new FileFailure(`file too large (${(file.size / 2 ** 20).toFixed(0)} MiB)`);
  let bytes: ArrayBuffer;
  try {
    bytes = await file.arrayBuffer();
  } catch (e) {
    throw new FileFailure(`could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const sha256 = await sha256Hex(bytes);
  const key = cacheKey(meta.modelId, sha256);
  const hit = await idbGet<Embedded | Refused>(STORES.embeddings, key);
  if (hit) return { sha256, value: hit, cached: true };
  let pixels: DecodedPixels;
  try {
    pixels = await decode(file, bytes);
  } catch (e) {
    if (e instanceof RefusedError) return { sha256, value: { refused: e.message }, cached: false };
    throw new FileFailure(e instanceof Error ? e.message.replace(`${file.name}: `, '') : String(e));
  }
  const check = checkChestCt(pixels);
  if (!check.ok) {
    const value = { refused: `Not a chest CT: ${check.reason}` };
    await idbPut(STORES.embeddings, key, value);
    return { sha256, value, cached: false };
  }
  const { dhash, thumb } = fingerprintRgb(toRgb(pixels), pixels.width, pixels.height);
  const names = [nodes.features, nodes.logits, ...(meta.outputs.embedding && meta.ood ? [meta.outputs.embedding] : [])];
  const outs = tf.tidy(() => {
    const out = model.execute(prepareInput(tf, pixels, meta.inputSize, preprocessOf(meta)), names);
    return Array.isArray(out) ? out : [out];
  });
  let values: Float32Array[];
  try {
    values = (await Promise.all(outs.map((t) => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(outs);
  }
  const value: Embedded = {
    features: values[0]!,
    logits: Array.from(values[1]!),
    oodScore: values[2] && meta.ood ? oodScore(values[2], meta.ood) : null,
    dhash,
    thumb,
  };
  await idbPut(STORES.embeddings, key, value);
  return { sha256, value, cached: false };
}
