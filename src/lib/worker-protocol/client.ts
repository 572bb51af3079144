/**
 * The page's handle on the inference worker: typed requests, and a promise for start-up. The page
 * (src/app) makes the worker from src/worker/ and hands it in, so the features that talk to the
 * worker through this handle never import the worker's code.
 */
import type { BackendName } from '../../config/model';
import type { AdaptRequest } from './adapt';
import type { LoadedMessage, MemoryMessage, ReadyMessage, WorkerMessage, WorkerRequest } from './messages';

export class ModelLoadError extends Error {
  constructor(
    message: string,
    readonly noModel: boolean,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

type Listener = (m: WorkerMessage) => void;

export class InferenceClient {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly worker: Worker) {
    this.worker.onmessage = (ev: MessageEvent<WorkerMessage>) => this.listeners.forEach((l) => l(ev.data));
  }

  private send(m: WorkerRequest): void {
    this.worker.postMessage(m);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private once<T extends WorkerMessage>(match: (m: WorkerMessage) => T | Error | null): Promise<T> {
    return new Promise((resolve, reject) => {
      const off = this.subscribe((m) => {
        const r = match(m);
        if (r === null) return;
        off();
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
    });
  }

  /** Fetches and verifies the model files in the worker; resolves with the verified metadata. */
  load(baseUrl: string): Promise<LoadedMessage> {
    const p = this.once<LoadedMessage>((m) =>
      m.type === 'loaded' ? m : m.type === 'init-error' ? new ModelLoadError(m.message, m.noModel) : null,
    );
    this.send({ type: 'load', baseUrl });
    return p;
  }

  /** Verifies a model dropped from disk in the worker and makes it the current one; rejects with why it was refused. */
  loadLocal(files: File[]): Promise<LoadedMessage> {
    const p = this.once<LoadedMessage>((m) => (m.type === 'loaded' ? m : m.type === 'local-model-error' ? new Error(m.message) : null));
    this.send({ type: 'load-local', files });
    return p;
  }

  /**
   * Starts tfjs on `backend` (null: self-test) with `threads` WASM threads and `batch` images per
   * model run (null: the defaults) and builds the graph; resolves when it can classify.
   */
  start(backend: BackendName | null, threads: number | null = null, batch: number | null = null): Promise<ReadyMessage> {
    const p = this.once<ReadyMessage>((m) =>
      m.type === 'ready' ? m : m.type === 'init-error' ? new ModelLoadError(m.message, m.noModel) : null,
    );
    this.send({ type: 'start', backend, threads, batch });
    return p;
  }

  classify(id: string, file: File, window: { width: number; level: number }): void {
    this.send({ type: 'classify', id, file, window });
  }

  cancel(ids?: string[]): void {
    this.send({ type: 'cancel', ids });
  }

  memory(): Promise<MemoryMessage> {
    const p = this.once<MemoryMessage>((m) => (m.type === 'memory' ? m : null));
    this.send({ type: 'memory' });
    return p;
  }

  /** Starts an adaptation in the worker (features/adapt); its messages carry `runId`. */
  adapt(req: Omit<AdaptRequest, 'type'>): void {
    this.send({ type: 'adapt', ...req });
  }

  cancelAdapt(runId: string): void {
    this.send({ type: 'adapt-cancel', runId });
  }

  loseContext(): void {
    this.send({ type: 'lose-context' });
  }
}
