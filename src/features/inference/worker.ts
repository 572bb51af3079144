/// <reference lib="webworker" />
/**
 * The inference worker: owns tfjs, the model and the queue, so the page stays responsive however
 * many files are queued. Files are prepared (read, hashed, decoded) one ahead of inference, so
 * decoding overlaps the model run.
 */
import type { BackendName } from '../../config/model';
import { assessInput, checkChestCt, type DecodedPixels, decide } from '@respidetect/contract';
import { decodeDicom, type SeriesPosition } from '../dicom/decode';
import { MAX_FILE_BYTES } from '../../config/limits';
import { activateBackend, configureWasmThreads, currentBackend, retireWebgl, tf, wasmThreads, webglContext, webglContextLost } from './backends';
import { Classifier, type RawPrediction } from './classifier';
import { fetchModelFiles, NoModelError, sha256Hex, verifyLocalModelFiles, type VerifiedModelFiles } from '../model-delivery';
import type { BenchmarkEntry, ClassifyRequest, LoadLocalRequest, LoadRequest, ResultMessage, StartRequest, WorkerMessage, WorkerRequest } from './protocol';
import { selfTest } from './self-test';
import { defaultWasmThreads } from './wasm-threads';
import { decodeRaster } from './decode-raster';
import { FileRefusal } from '../../lib/file-refusal';
import { readHeadTail, sniffFile } from './sniff';
import { cancelAdaptation, runAdaptation } from '../adapt/worker/adapt-run';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: WorkerMessage): void => self.postMessage(m);

let files: VerifiedModelFiles | null = null;
let classifier: Classifier | null = null;
const queue: ClassifyRequest[] = [];
const prepared = new Map<string, Promise<Prepared>>();
let pumping = false;

interface Prepared {
  sha256: string;
  width: number;
  height: number;
  source: 'image' | 'dicom';
  slices: DecodedPixels[];
  series?: SeriesPosition;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function load(req: LoadRequest): Promise<void> {
  try {
    files = await fetchModelFiles(req.baseUrl, { onProgress: (p) => post({ type: 'model-progress', ...p }) });
    post({ type: 'loaded', metadata: files.metadata, networkBytes: files.stats.networkBytes, cachedBytes: files.stats.cachedBytes });
  } catch (e) {
    post({ type: 'init-error', message: errorText(e), noModel: e instanceof NoModelError });
  }
}

/**
 * A model from local files replaces the current one between batches only: every result in a batch
 * comes from one model. The page then sends `start` (a new model id gets its own backend choice).
 */
async function loadLocal(req: LoadLocalRequest): Promise<void> {
  try {
    if (pumping || queue.length > 0) throw new Error('a batch is still running: wait for it to finish (or cancel it) before switching models');
    const local = await verifyLocalModelFiles(req.files);
    if (local.metadata.modelId !== files?.metadata.modelId) {
      classifier?.dispose();
      classifier = null;
    }
    files = local;
    post({ type: 'loaded', metadata: local.metadata, networkBytes: 0, cachedBytes: 0 });
  } catch (e) {
    post({ type: 'local-model-error', message: errorText(e) });
  }
}

async function start(req: StartRequest): Promise<void> {
  try {
    if (!files) throw new Error('start before load');
    classifier?.dispose();
    classifier = null;
    const t0 = performance.now();
    // Before any backend starts: tfjs reads the WASM thread count once, when WASM initialises.
    configureWasmThreads(req.threads ?? defaultWasmThreads(navigator.hardwareConcurrency));
    let backend: BackendName;
    let entries: BenchmarkEntry[] | undefined;
    if (req.backend) {
      backend = req.backend;
      if (!(await activateBackend(backend))) throw new Error(`The ${backend} backend is not available in this browser`);
      classifier = await Classifier.load(files);
    } else {
      ({ backend, entries, classifier } = await selfTest(files));
    }
    post({ type: 'ready', backend, threads: wasmThreads(), benchmark: entries, loadMs: performance.now() - t0 });
    void pump();
  } catch (e) {
    post({ type: 'init-error', message: errorText(e), noModel: false });
  }
}

async function prepare(req: ClassifyRequest): Promise<Prepared> {
  const { file, id } = req;
  const name = file.name;
  if (file.size > MAX_FILE_BYTES) throw new FileRefusal(`${name}: file too large (${(file.size / 2 ** 20).toFixed(0)} MiB)`, 'refused');
  post({ type: 'progress', id, stage: 'reading', fraction: 0.1 });
  const { head, tail } = await readHeadTail(file);
  const sniffed = sniffFile(name, file.size, head, tail);
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  post({ type: 'progress', id, stage: 'decoding', fraction: 0.3 });
  if (sniffed.kind === 'dicom') {
    const d = decodeDicom(name, bytes, req.window);
    return { sha256, width: d.width, height: d.height, source: 'dicom', slices: d.slices, series: d.series };
  }
  const pixels = await decodeRaster(name, file, sniffed.kind);
  return { sha256, width: pixels.width, height: pixels.height, source: 'image', slices: [pixels] };
}

function takePrepared(req: ClassifyRequest): Promise<Prepared> {
  let p = prepared.get(req.id);
  if (!p) {
    p = prepare(req);
    // Handled when awaited; this stops an "unhandled rejection" while it waits its turn.
    p.catch(() => undefined);
  }
  prepared.delete(req.id);
  return p;
}

function prefetch(req: ClassifyRequest | undefined): void {
  if (!req || prepared.has(req.id)) return;
  const p = prepare(req);
  p.catch(() => undefined);
  prepared.set(req.id, p);
}

/** A lost WebGL context makes reads return zeros rather than throw; check, and move to WASM. */
async function recoverFromContextLoss(): Promise<void> {
  classifier?.dispose();
  classifier = null;
  retireWebgl();
  for (const backend of ['wasm', 'cpu'] as const) {
    if (await activateBackend(backend)) {
      classifier = await Classifier.load(files!);
      post({ type: 'backend-changed', backend, threads: wasmThreads(), reason: 'The WebGL context was lost; continuing on ' + backend.toUpperCase() });
      return;
    }
  }
  throw new Error('The WebGL context was lost and no other backend is available');
}

/** A prediction and the backend that computed it (after a context loss: the one it moved to). */
async function predict(pixels: DecodedPixels): Promise<RawPrediction & { backend: BackendName }> {
  if (webglContextLost()) await recoverFromContextLoss();
  try {
    const out = await classifier!.predict(pixels);
    if (!webglContextLost()) return { ...out, backend: currentBackend() };
  } catch (e) {
    if (!webglContextLost()) throw e;
  }
  await recoverFromContextLoss();
  return { ...(await classifier!.predict(pixels)), backend: currentBackend() };
}

async function classify(req: ClassifyRequest): Promise<void> {
  const t0 = performance.now();
  const p = await takePrepared(req);
  prefetch(queue[0]);
  const meta = classifier!.metadata;
  // The not-a-chest-CT rule runs on the decoded pixels first: a refused slice is never inferred.
  const results: { index: number; out: RawPrediction & { backend: BackendName } }[] = [];
  const refused: { index: number; reason: string }[] = [];
  for (const [i, slice] of p.slices.entries()) {
    post({ type: 'progress', id: req.id, stage: 'inferring', fraction: 0.4 + (0.6 * i) / p.slices.length });
    const check = checkChestCt(slice);
    if (!check.ok) {
      refused.push({ index: i, reason: check.reason });
      continue;
    }
    results.push({ index: i, out: await predict(slice) });
  }
  if (results.length === 0) {
    const a = assessInput({ ok: false, reason: refused[0]!.reason }, null, meta);
    const many = p.slices.length > 1 ? ` (all ${p.slices.length} slices refused; the first one's reason)` : '';
    throw new FileRefusal(`${req.file.name}: ${a.kind === 'refused' ? a.message : refused[0]!.reason}${many}`, 'refused');
  }
  const positive = results.map((r) => decide(r.out.probabilities, meta).positiveProbability);
  const top = positive.indexOf(Math.max(...positive));
  const best = results[top]!.out;
  const msg: ResultMessage = {
    type: 'result',
    id: req.id,
    sha256: p.sha256,
    width: p.width,
    height: p.height,
    probabilities: best.probabilities,
    logits: best.logits,
    oodScore: best.oodScore,
    chestCt: { ok: true },
    heatmap: best.heatmap,
    source: p.source,
    backend: best.backend,
    ...(p.series ? { series: p.series } : {}),
    ms: performance.now() - t0,
  };
  if (p.slices.length > 1)
    msg.slices = {
      max: positive[top]!,
      mean: positive.reduce((a, b) => a + b, 0) / positive.length,
      top: results[top]!.index,
      scores: positive.map((positiveProbability, k) => ({ index: results[k]!.index, positiveProbability })),
      refused,
    };
  post(msg);
}

async function pump(): Promise<void> {
  if (pumping || !classifier) return;
  pumping = true;
  try {
    while (queue.length > 0) {
      const req = queue.shift()!;
      prefetch(queue[0]);
      try {
        await classify(req);
      } catch (e) {
        post({ type: 'file-error', id: req.id, status: e instanceof FileRefusal ? e.status : 'error', message: e instanceof FileRefusal ? e.message : `${req.file.name}: ${errorText(e)}` });
      }
    }
  } finally {
    pumping = false;
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const m = ev.data;
  switch (m.type) {
    case 'load':
      void load(m);
      break;
    case 'start':
      void start(m);
      break;
    case 'load-local':
      void loadLocal(m);
      break;
    case 'classify':
      queue.push(m);
      void pump();
      break;
    case 'cancel': {
      const drop = m.ids ? new Set(m.ids) : null;
      for (let i = queue.length - 1; i >= 0; i--) {
        const id = queue[i]!.id;
        if (!drop || drop.has(id)) {
          queue.splice(i, 1);
          prepared.delete(id);
        }
      }
      break;
    }
    case 'memory': {
      // WebGL reports textures as numBytesInGPUAllocated, WebGPU its buffers as numBytesAllocatedInGPU.
      const mem = tf.memory() as ReturnType<typeof tf.memory> & { numBytesInGPUAllocated?: number; numBytesAllocatedInGPU?: number };
      post({ type: 'memory', numTensors: mem.numTensors, numBytes: mem.numBytes, gpuBytesAllocated: mem.numBytesInGPUAllocated ?? mem.numBytesAllocatedInGPU ?? null });
      break;
    }
    case 'lose-context':
      webglContext()?.getExtension('WEBGL_lose_context')?.loseContext();
      break;
    // Adaptation (features/adapt) uses the verified files of the model in use, on the active backend.
    case 'adapt':
      if (pumping || queue.length > 0) post({ type: 'adapt-error', runId: m.runId, message: 'a batch is still being classified: wait for it to finish (or cancel it) before adapting', cancelled: false });
      else void runAdaptation(m, files, (msg, transfer) => self.postMessage(msg, transfer ?? []));
      break;
    case 'adapt-cancel':
      cancelAdaptation(m.runId);
      break;
  }
};
