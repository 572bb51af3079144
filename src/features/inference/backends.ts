/**
 * tfjs backends for the worker. WASM binaries are bundled by Vite (`?url`) and served from our
 * own origin: the CSP allows no CDN, and offline use needs them precached with the app.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../../config/model';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});
// WASM threads stay off: the threaded build's pthread workers importScripts() a blob: URL, which
// the server's CSP (script-src 'self') blocks, and the backend then hangs instead of failing.
// Turn on once script-src allows blob: (server/src/headers.js and nginx.conf together).
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
// Without this tfjs refuses software WebGL (SwiftShader); we would rather measure it and let the
// self-test pick the faster backend than have WebGL silently missing.
tf.env().set('SOFTWARE_WEBGL_ENABLED', true);

/** Switches tfjs to `name`; false when the backend cannot start on this device. */
export async function activateBackend(name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
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
