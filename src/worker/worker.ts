/// <reference lib="webworker" />
/**
 * The inference worker: owns tfjs, the model and the queue, so the page stays responsive however
 * many files are queued. This file routes the page's requests and holds the model's state; the
 * queue and its batches are in features/inference/classify-queue.ts, a file's decoding in
 * prepare-file.ts. It is the worker's composition root (as src/app is the page's): the one place
 * where inference, model delivery and adapt's worker part meet; no feature imports it. (Named
 * worker.ts: the build names its chunk worker-<hash>.js, which deploy/image.test.ts looks for.)
 */
import type { BackendName } from '../config/model';
import { activateBackend, backendStartErrors, configureWasmThreads, wasmThreads } from '../features/inference/backends';
import { Classifier } from '../features/inference/classifier';
import { ClassifyQueue } from '../features/inference/classify-queue';
import { ModelSlot } from '../features/inference/model-slot';
import { fetchModelFiles, NoModelError, verifyLocalModelFiles } from '../features/model-delivery';
import { BUSY_MESSAGE, type BenchmarkEntry, type LoadLocalRequest, type LoadRequest, type StartRequest, type WorkerMessage, type WorkerRequest } from '../lib/worker-protocol/messages';
import { selfTest } from '../features/inference/self-test';
import { defaultWasmThreads } from '../features/inference/wasm-threads';
import { cancelAdaptation, runAdaptation } from '../features/adapt/worker/adapt-run';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: WorkerMessage): void => self.postMessage(m);

const model = new ModelSlot(post);
const queue = new ClassifyQueue(model, post);

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function load(req: LoadRequest): Promise<void> {
  try {
    // As loadLocal: every result in a batch comes from one model, and a new model id never runs on
    // the old one's graph (switching back to the deployed model comes through here).
    if (queue.busy) throw new Error(BUSY_MESSAGE);
    const files = await fetchModelFiles(req.baseUrl, { onProgress: (p) => post({ type: 'model-progress', ...p }) });
    if (files.metadata.modelId !== model.files?.metadata.modelId) model.use(null);
    model.files = files;
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
    if (queue.busy) throw new Error(BUSY_MESSAGE);
    const local = await verifyLocalModelFiles(req.files);
    if (local.metadata.modelId !== model.files?.metadata.modelId) model.use(null);
    model.files = local;
    post({ type: 'loaded', metadata: local.metadata, networkBytes: 0, cachedBytes: 0 });
  } catch (e) {
    post({ type: 'local-model-error', message: errorText(e) });
  }
}

async function start(req: StartRequest): Promise<void> {
  try {
    const { files } = model;
    if (!files) throw new Error('start before load');
    model.use(null);
    model.batchOverride = req.batch;
    const t0 = performance.now();
    // Before any backend starts: tfjs reads the WASM thread count once, when WASM initialises.
    configureWasmThreads(req.threads ?? defaultWasmThreads(navigator.hardwareConcurrency));
    let backend: BackendName;
    let entries: BenchmarkEntry[] | undefined;
    if (req.backend) {
      backend = req.backend;
      if (!(await activateBackend(backend))) {
        const why = backendStartErrors.get(backend);
        throw new Error(`The ${backend} backend is not available in this browser${why ? `: ${why}` : ''}`);
      }
      model.use(await Classifier.load(files));
    } else {
      let classifier: Classifier;
      ({ backend, entries, classifier } = await selfTest(files));
      model.use(classifier);
    }
    post({ type: 'ready', backend, threads: wasmThreads(), benchmark: entries, loadMs: performance.now() - t0 });
    void queue.pump();
  } catch (e) {
    post({ type: 'init-error', message: errorText(e), noModel: false });
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
      queue.add(m);
      break;
    case 'cancel':
      queue.cancel(m.ids);
      break;
    case 'memory':
    case 'lose-context':
      if (__TEST_HOOKS__) void import('../features/inference/worker-test-hooks').then((h) => h.answerTestHook(m, post));
      break;
    // Adaptation (features/adapt) uses the verified files of the model in use, on the active backend.
    case 'adapt':
      if (queue.busy) post({ type: 'adapt-error', runId: m.runId, message: 'a batch is still being classified: wait for it to finish (or cancel it) before adapting', cancelled: false });
      else void runAdaptation(m, model.files, (msg, transfer) => self.postMessage(msg, transfer ?? []));
      break;
    case 'adapt-cancel':
      cancelAdaptation(m.runId);
      break;
  }
};
