/** A fixed set of feature workers; each takes one image (all its missing views) at a time. */
import { Worker } from 'node:worker_threads';
import type { ImageTask } from './compute';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker';

// Workers run the TypeScript source through tsx's loader, registered inside the worker before
// the entry is imported: `execArgv: ['--import', 'tsx']` leaves the entry itself unloadable on
// Node 20 ("Unknown file extension .ts"). This works under plain node and under vitest alike.
const WORKER_URL = new URL('./worker.ts', import.meta.url);
const TSX_API = import.meta.resolve('tsx/esm/api');
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

export class FeatureWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private constructor(private readonly workers: Worker[]) {
    this.idle.push(...workers);
  }

  static async start(baseDir: string, count: number, upTo?: string): Promise<FeatureWorkerPool> {
    const workers = Array.from({ length: count }, () => new Worker(BOOTSTRAP, { eval: true, workerData: { baseDir, upTo } satisfies WorkerInit }));
    try {
      await Promise.all(
        workers.map(
          (w, i) =>
            new Promise<void>((resolve, reject) => {
              const onMsg = (m: WorkerReply) => {
                if ('type' in m && m.type === 'ready') resolve();
                else if ('type' in m && m.type === 'fatal') reject(new Error(`feature worker ${i}: ${m.error}`));
                w.off('message', onMsg);
              };
              w.on('message', onMsg);
              w.once('error', (e) => reject(new Error(`feature worker ${i} failed to start: ${e.message}`, { cause: e })));
              w.once('exit', (code) => reject(new Error(`feature worker ${i} exited with code ${code} while starting`)));
            }),
        ),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new FeatureWorkerPool(workers);
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop();
    return w ? Promise.resolve(w) : new Promise((r) => this.waiting.push(r));
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  private nextId = 0;

  /** Features for the task's views; rejects with the worker's message if that image failed. */
  async run(task: ImageTask): Promise<Float32Array[]> {
    const w = await this.acquire();
    const id = this.nextId++;
    try {
      return await new Promise<Float32Array[]>((resolve, reject) => {
        const onMsg = (m: WorkerReply) => {
          if (!('id' in m) || m.id !== id) return;
          cleanup();
          if (m.ok) resolve(m.features);
          else reject(new Error(m.error));
        };
        const onExit = (code: number) => {
          cleanup();
          reject(new Error(`feature worker exited with code ${code}`));
        };
        const cleanup = () => {
          w.off('message', onMsg);
          w.off('exit', onExit);
        };
        w.on('message', onMsg);
        w.on('exit', onExit);
        w.postMessage({ id, task } satisfies WorkerRequest);
      });
    } finally {
      this.release(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
