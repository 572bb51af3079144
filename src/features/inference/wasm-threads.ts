/**
 * How many threads the WASM backend runs XNNPACK with. Pure, so the page (which reads `?threads=`)
 * and the worker (which applies it before tfjs initialises WASM) share one rule.
 *
 * The ceiling is tfjs's pthread pool: the threaded build pre-spawns 8 Web Workers
 * (PTHREAD_POOL_SIZE=8, tensorflow/tfjs#5727) and XNNPACK's pool takes N-1 of them (the calling
 * thread is the N-th). Asking for more makes Emscripten spawn workers on demand while
 * pthreadpool_create blocks waiting for them, which never completes inside our worker.
 */
import { intParam } from '../../lib/int-param';

export const MAX_WASM_THREADS = 8;

/**
 * The default: every logical core, up to the pool's ceiling. tfjs's own default (-1) is half the
 * cores, 1..4, so a 2-core machine ran on one thread; the page's main thread and the decode running
 * ahead of inference are light next to a 224 px VGG16 slice (~31 GFLOP).
 */
export function defaultWasmThreads(hardwareConcurrency: number | undefined): number {
  const cores = Number.isInteger(hardwareConcurrency) && hardwareConcurrency! > 0 ? hardwareConcurrency! : 1;
  return Math.min(cores, MAX_WASM_THREADS);
}

/** `?threads=N` (1..8) from the page's query string; null when absent. */
export const threadsParam = (search: string): number | null => intParam(search, 'threads', MAX_WASM_THREADS, 'a thread count');
