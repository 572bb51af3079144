/**
 * A feature-extraction worker thread: its own tfjs WASM backend and its own copy of the base,
 * because WASM tfjs in Node computes on one thread; N workers use N cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from '../backend';
import { loadBase } from '../model/base-artifact';
import { computeViews, type ImageTask } from './compute';
import { truncateBase } from './split';

export interface WorkerInit {
  baseDir: string;
  /** Split point: features come from this layer instead of the base's output. */
  upTo?: string;
}
export type WorkerRequest = { id: number; task: ImageTask };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'fatal'; error: string }
  | { id: number; ok: true; features: Float32Array[] }
  | { id: number; ok: false; error: string };

const port = parentPort;
if (!port) throw new Error('embeddings/worker.ts must run as a worker thread');

async function main(): Promise<void> {
  const { baseDir, upTo } = workerData as WorkerInit;
  await initBackend('wasm');
  const loaded = await loadBase(baseDir);
  const info = loaded.info;
  const model = truncateBase(tf, loaded.model, upTo);
  // Warm-up: the first predict compiles and allocates.
  tf.tidy(() => model.predict(tf.zeros([1, info.imageSize, info.imageSize, 3])));
  port!.on('message', (msg: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { id: msg.id, ok: true, features: computeViews(tf, model, msg.task, info.imageSize) };
    } catch (err) {
      reply = { id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    port!.postMessage(reply, reply.ok ? reply.features.map((f) => f.buffer as ArrayBuffer) : []);
  });
  port!.postMessage({ type: 'ready' } satisfies WorkerReply);
}

main().catch((err: unknown) => port.postMessage({ type: 'fatal', error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply));
