/**
 * Messages between the adapt page and the inference worker, which owns tfjs and the model and so
 * does the adaptation too (never the main thread). messages.ts includes them in its unions.
 */
import type { ExternalReport, ModelMetadata, Split } from '@respidetect/contract';

export interface AdaptFile {
  file: File;
  /** Path below the picked folder, as the check report names it. */
  path: string;
  folder: string;
}

export interface AdaptRequest {
  type: 'adapt';
  runId: string;
  files: AdaptFile[];
  /** folder → model class. */
  labelMap: Record<string, string>;
  /** The picked folder's name, for the reports. */
  name: string;
}

export interface AdaptCancelRequest {
  type: 'adapt-cancel';
  runId: string;
}

export interface AdaptProgressMessage {
  type: 'adapt-progress';
  runId: string;
  phase: 'embedding' | 'training';
  done: number;
  total: number;
  /** Seconds left in this phase, from the rate so far; null until one step is done. */
  etaSeconds: number | null;
  /** Embedding: images found in the cache (not recomputed). Training: the epoch's losses. */
  cached?: number;
  loss?: number;
  valLoss?: number;
}

export interface AdaptSplitMessage {
  type: 'adapt-split';
  runId: string;
  counts: Record<Split, Record<string, number>>;
  groups: number;
  nearGroups: number;
  exactRedundantCopies: number;
  labelConflicts: number;
  refusal: string | null;
}

/** A file that took no part, and why: one bad file fails alone. */
export interface SkippedFile {
  file: string;
  kind: 'failed' | 'refused' | 'unmapped';
  reason: string;
}

export interface AdaptEpoch {
  epoch: number;
  loss: number;
  valLoss: number;
}

export interface AdaptResult {
  /** The deployed (parent) model and the adapted one on the same test-part images, by externalReport. */
  before: ExternalReport;
  after: ExternalReport;
  metadata: ModelMetadata;
  /** The adapted model folder: model.json, shard(s), metadata.json. */
  files: { name: string; bytes: ArrayBuffer; type: string }[];
  skipped: SkippedFile[];
  history: AdaptEpoch[];
  bestEpoch: number;
  /** Epoch training resumed after, from the checkpoint a reload left (0: a fresh start). */
  resumedFrom: number;
  timings: { embedMsPerImage: number | null; embeddedImages: number; cachedImages: number; msPerEpoch: number; epochs: number };
}

export interface AdaptDoneMessage {
  type: 'adapt-done';
  runId: string;
  result: AdaptResult;
}

export interface AdaptErrorMessage {
  type: 'adapt-error';
  runId: string;
  message: string;
  cancelled: boolean;
}

export type AdaptWorkerRequest = AdaptRequest | AdaptCancelRequest;
export type AdaptWorkerMessage = AdaptProgressMessage | AdaptSplitMessage | AdaptDoneMessage | AdaptErrorMessage;
