/**
 * tfjs backends for the worker. WASM binaries are bundled by Vite (`?url`) and served from our
 * own origin: the CSP allows no CDN, and offline use needs them precached with the app.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The threaded build's Emscripten factory as a classic script (it declares `var WasmBackendModuleThreadedSimd`):
// served from our origin so pthread workers can importScripts() it under script-src 'self' (pthread-script.ts).
import wasmThreadedFactoryScript from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { isBackendName, type BackendName } from '../../config/model';
import { pthreadStartFailure, servePthreadScriptFromOrigin } from './pthread-script';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});
servePthreadScriptFromOrigin(new URL(wasmThreadedFactoryScript, self.location.href).href);
// Without this tfjs refuses software WebGL (SwiftShader); we would rather measure it and let the
// self-test pick the faster backend than have WebGL silently missing.
tf.env().set('SOFTWARE_WEBGL_ENABLED', true);

let wasmThreadsRequested: number | null = null;
let wasmStarted = false;

/**
 * Sets the WASM thread count; it takes effect only before the WASM backend first initialises, so
 * the worker calls it on `start`, before any backend is activated. Later calls change nothing (the
 * pool cannot be resized) and wasmThreads() reports what is really in use. Without
 * SharedArrayBuffer (no cross-origin isolation) tfjs loads the single-threaded build: 1 thread.
 */
export function configureWasmThreads(threads: number): void {
  if (wasmThreadsRequested !== null) return;
  wasmThreadsRequested = threads;
  setThreadsCount(threads);
}

/**
 * Why setThreadsCount alone does nothing in tfjs 4.22 (tensorflow/tfjs#8513): tfjs passes the
 * count to the C++ init_with_threads_count, which caps it at `num_cores`, a global initialised
 * while the module instantiates as emscripten_num_logical_cores() / 2, and Emscripten answers that
 * from navigator.hardwareConcurrency. On a 2-core machine every request becomes 1 thread; on 8
 * cores, at most 4. So while WASM initialises (and only then) this worker's navigator reports
 * twice the requested count, which makes the cap equal the request; the real value comes back
 * right after. If a future tfjs drops the cap this is harmless; if it reads the cores elsewhere,
 * the e2e test that asks for ?threads=2 and reads the indicator fails.
 */
async function withCoresPresentedForWasm<T>(init: () => Promise<T>): Promise<T> {
  const nav = self.navigator as Navigator | undefined;
  if (wasmStarted || wasmThreadsRequested === null || !nav) return init();
  wasmStarted = true;
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * wasmThreadsRequested! });
  } catch {
    // A browser that will not let us shadow it: tfjs's cap applies (fewer threads), WASM still works.
    return init();
  }
  try {
    return await init();
  } finally {
    // Drops the own property: the prototype's real getter shows through again.
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Threads the WASM backend runs with (1 = single-threaded), or null when WASM is not active. */
export const wasmThreads = (): number | null => (tf.getBackend() === 'wasm' ? getThreadsCount() : null);

/** The backend tfjs runs on now; a result records it, so a silent fallback shows on the row. */
export function currentBackend(): BackendName {
  const name = tf.getBackend();
  if (!isBackendName(name)) throw new Error(`tfjs runs on an unknown backend "${name}"`);
  return name;
}

/** Why a backend could not start, when it said (e.g. a WASM thread that never loaded): for the error the page shows. */
export const backendStartErrors = new Map<BackendName, string>();

/** Switches tfjs to `name`; false when the backend cannot start on this device (backendStartErrors may say why). */
export async function activateBackend(name: BackendName): Promise<boolean> {
  try {
    // WebGPU's kernels are ~300 kB of WGSL generators most devices never run: loaded on first use
    // (a chunk of its own, precached with the app like every other JS file). Importing registers
    // the backend only when navigator.gpu exists; without an adapter its factory throws. Either
    // way setBackend fails below and the caller records "not available".
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    const start = async (): Promise<boolean> => {
      if (!(await tf.setBackend(name))) return false;
      await tf.ready();
      return tf.getBackend() === name;
    };
    // WASM waits for every pthread worker; one that cannot load its script fails the start-up
    // instead of leaving it pending for ever.
    return name === 'wasm' ? await Promise.race([withCoresPresentedForWasm(start), pthreadStartFailure]) : await start();
  } catch (e) {
    if (e instanceof Error) backendStartErrors.set(name, e.message);
    return false;
  }
}

interface WebGlLike {
  gpgpu?: { gl?: WebGLRenderingContext | WebGL2RenderingContext };
}

/** The WebGL context tfjs draws with, when WebGL is the active backend. */
export function webglContext(): WebGLRenderingContext | WebGL2RenderingContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  return (tf.backend() as unknown as WebGlLike).gpgpu?.gl ?? null;
}

export const webglContextLost = (): boolean => webglContext()?.isContextLost() ?? false;

/** The active WebGL context's real renderer (e.g. SwiftShader), or null when WebGL is not active or will not say. */
export function webglRenderer(): string | null {
  const gl = webglContext();
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : null;
}

export class WebglContextLostError extends Error {
  constructor() {
    super('The WebGL context was lost');
    this.name = 'WebglContextLostError';
  }
}

/** How often a pending WebGL read checks whether its context is still there. */
const CONTEXT_CHECK_MS = 50;

/**
 * Settles with `work`, or rejects with WebglContextLostError as soon as the WebGL context is lost.
 * tfjs reads a WebGL result by polling a fence sync; on a lost context clientWaitSync answers
 * WAIT_FAILED for ever, so without this race the read, and the whole queue behind it, never settles.
 */
export function raceContextLoss<T>(work: Promise<T>): Promise<T> {
  const gl = webglContext();
  if (!gl) return work;
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!gl.isContextLost()) return;
      clearInterval(timer);
      reject(new WebglContextLostError());
    }, CONTEXT_CHECK_MS);
    work.then(
      (v) => {
        clearInterval(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearInterval(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

interface GpgpuPolling {
  gpgpu?: { itemsToPoll?: unknown[] };
}

/** Drops the WebGL backend for good in this worker (after a context loss), so tfjs never picks it again. */
export function retireWebgl(): void {
  try {
    // The fence poll of the read that was cut off would otherwise spin (setTimeout 0) for the life of
    // the worker: tfjs's poll loop stops only when its list is empty.
    const gpgpu = (tf.findBackend('webgl') as unknown as GpgpuPolling | null)?.gpgpu;
    if (gpgpu?.itemsToPoll) gpgpu.itemsToPoll.length = 0;
    tf.removeBackend('webgl');
  } catch {
    // already gone
  }
}

export { tf };
