/**
 * Messages between the page and the inference worker. One place, so both sides agree: the worker's
 * features (inference, adapt's worker part) and the page's (classify, model-switch, check, adapt)
 * import them here rather than from one another.
 */
import type { ModelMetadata, RefusalCode, SeriesPosition } from '@respidetect/contract';
import type { BackendName } from '../../config/model';
import type { AdaptWorkerMessage, AdaptWorkerRequest } from './adapt';

/** Phase 1: fetch and verify the model files (model-delivery), and report the metadata. */
export interface LoadRequest {
  type: 'load';
  /** Absolute URL of the model folder (model.json, shards, metadata.json). */
  baseUrl: string;
}

/** Phase 2: start tfjs on a backend and build the graph. */
export interface StartRequest {
  type: 'start';
  /** Forced backend (?backend=…) or the one cached from an earlier self-test; null runs the self-test. */
  backend: BackendName | null;
  /** WASM threads forced by ?threads=N; null: the worker's default (wasm-threads.ts). */
  threads: number | null;
  /** Images per model run forced by ?batch=N; null: the backend's default (batch-size.ts). */
  batch: number | null;
}

export interface ClassifyRequest {
  type: 'classify';
  id: string;
  file: File;
  /** DICOM lung window, in HU. */
  window: { width: number; level: number };
}

export interface CancelRequest {
  type: 'cancel';
  /** Queued ids to drop; omitted = everything not yet in a running batch. */
  ids?: string[];
}

/**
 * Switch to a model the user dropped from disk (model.json, shards, metadata.json). The worker
 * verifies it (schema, every sha256) and answers `loaded` or `local-model-error`; the page then
 * starts it like any model (backend choice per model id).
 */
export interface LoadLocalRequest {
  type: 'load-local';
  files: File[];
}

/** Test hook (test builds only, worker-test-hooks.ts): how many tensors tfjs holds, to prove inference leaks none. */
export interface MemoryRequest {
  type: 'memory';
}

/** Test hook (test builds only): lose the WebGL context, as a GPU reset would. */
export interface LoseContextRequest {
  type: 'lose-context';
}

/** Why the model cannot change now: the worker refuses `load` and `load-local` mid-batch, and the page says so before asking. */
export const BUSY_MESSAGE = 'a batch is still running: wait for it to finish (or cancel it) before switching models';

export type WorkerRequest = LoadRequest | LoadLocalRequest | StartRequest | ClassifyRequest | CancelRequest | MemoryRequest | LoseContextRequest | AdaptWorkerRequest;

export interface BenchmarkEntry {
  backend: BackendName;
  ok: boolean;
  /** The probe: one cold inference (first run on this backend), ms; for a stopped probe, how long it ran. */
  ms?: number;
  error?: string;
}

export interface LoadedMessage {
  type: 'loaded';
  metadata: ModelMetadata;
  /** Bytes that came over the network vs from the model cache. */
  networkBytes: number;
  cachedBytes: number;
}

/** Model download progress, forwarded from model-delivery (features/offline shows it). */
export interface ModelProgressMessage {
  type: 'model-progress';
  loadedBytes: number;
  totalBytes: number;
  file?: string;
}

export interface ReadyMessage {
  type: 'ready';
  backend: BackendName;
  /** WASM threads in use (1: single-threaded); null on other backends. */
  threads: number | null;
  /** Present when the backend was chosen by self-test in this session. */
  benchmark?: BenchmarkEntry[];
  loadMs: number;
}

/** A dropped model was refused; the current model stays in use. */
export interface LocalModelErrorMessage {
  type: 'local-model-error';
  message: string;
}

export interface InitErrorMessage {
  type: 'init-error';
  message: string;
  /** model.json or metadata.json is not deployed (HTTP 404): the app explains how to train one. */
  noModel: boolean;
}

export interface ProgressMessage {
  type: 'progress';
  id: string;
  /** 0..1 within this file. */
  fraction: number;
  stage: 'reading' | 'decoding' | 'inferring';
}

/** Per-slice score, for DICOM series. */
export interface SliceScore {
  index: number;
  positiveProbability: number;
}

export interface ResultMessage {
  type: 'result';
  id: string;
  sha256: string;
  width: number;
  height: number;
  /** Calibrated probabilities, in classNames order. */
  probabilities: number[];
  /** The graph's logits for the shown slice, before the temperature (parity tests compare them: probabilities can saturate). */
  logits: number[];
  /** Null when the model carries no OOD statistics. */
  oodScore: number | null;
  /**
   * The contract's not-a-chest-CT check on the reported slice (checkChestCt, passed: a refused
   * input never becomes a result). The page hands it with oodScore to assessInput.
   */
  chestCt: { ok: true };
  /** Class-activation map of each class: [classes][h*w], row-major; null when the model has none. */
  heatmap: { width: number; height: number; maps: number[][] } | null;
  /**
   * For DICOM files with more than one slice: scores of the slices that passed the not-a-chest-CT
   * check (indices into the file's frames); `refused` lists the others with the reason.
   */
  slices?: { max: number; mean: number; top: number; scores: SliceScore[]; refused: { index: number; reason: string }[] };
  /** DICOM: the file's series (SeriesInstanceUID, InstanceNumber), so the page can summarise a series split over files. */
  series?: SeriesPosition;
  /** What was classified: 'image' or 'dicom'. */
  source: 'image' | 'dicom';
  /** The backend that computed the shown probabilities (a context loss can move it mid-batch). */
  backend: BackendName;
  /** Images in the model run that computed the shown probabilities (batch-size.ts; 1 = alone). */
  batch: number;
  ms: number;
}

export interface FileErrorMessage {
  type: 'file-error';
  id: string;
  status: 'error' | 'refused';
  /** Which rule refused the file (contract's RefusalCode). */
  code: RefusalCode;
  /** The sentence the user reads. */
  message: string;
  /** Internal text (a parser's error), for the details disclosure and bug reports; never the reason. */
  details?: string;
}

export interface BackendChangedMessage {
  type: 'backend-changed';
  backend: BackendName;
  threads: number | null;
  reason: string;
}

export interface MemoryMessage {
  type: 'memory';
  numTensors: number;
  numBytes: number;
  /**
   * Bytes of WebGL textures or WebGPU buffers tfjs has allocated (null on WASM/CPU). Weights go up to
   * the GPU only when a GPU kernel first reads them, so this shows that the GPU really computed, not
   * just that its backend was the active one.
   */
  gpuBytesAllocated: number | null;
}

export type WorkerMessage =
  | LoadedMessage
  | ModelProgressMessage
  | ReadyMessage
  | InitErrorMessage
  | LocalModelErrorMessage
  | ProgressMessage
  | ResultMessage
  | FileErrorMessage
  | BackendChangedMessage
  | MemoryMessage
  | AdaptWorkerMessage;
