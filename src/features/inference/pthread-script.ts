/// <reference lib="webworker" />
/**
 * How the WASM backend's pthread workers get their script, under our CSP, and what happens when
 * one of them cannot load it.
 *
 * Serving the script from our origin: tfjs-backend-wasm starts each pthread worker from a blob:
 * URL (allowed: worker-src blob:) and then sends it `{cmd: 'load', urlOrBlob}`, where urlOrBlob is a
 * Blob holding the Emscripten factory's source, which the pthread worker importScripts() through
 * another blob: URL. A blob: worker runs under our CSP, and script-src 'self' 'wasm-unsafe-eval'
 * (kept strict on purpose: no blob:, so no script can be minted at runtime) refuses that import; the
 * pthreads never start and tfjs waits for them for ever. tfjs hard-codes the Blob
 * (factoryConfig.mainScriptUrlOrBlob) with no option to change it, but Emscripten's pthread worker
 * also accepts a URL string there. So the Worker constructor in this (inference) worker, which only
 * tfjs uses, hands its pthread workers the same factory script served from our origin, as an
 * absolute URL (a relative one would resolve against the blob: URL).
 *
 * Retrying a failed load: the threaded build pre-spawns 8 pthread workers and Emscripten waits until
 * every one has posted `{cmd: 'loaded'}` before tfjs's WASM start-up resolves. If one importScripts()
 * fails (seen in CI: one of 8 requests answered net::ERR_ABORTED right after a reload), Emscripten
 * only logs the worker's error and waits for ever, and the page says "starting…" for good. The
 * pthread worker survives the failed import (the exception ends that message's handler, not the
 * worker) and its `load` handler only assigns fields before importing, so posting the same `load`
 * message again is a clean retry. After MAX_LOAD_ATTEMPTS failures the pthread start-up is declared
 * failed (pthreadStartFailure), so WASM start-up ends with a reason instead of hanging.
 *
 * If a future tfjs changes the message, nothing is rewritten, the pthreads fail to start and tfjs
 * hangs: the e2e test that runs WASM cross-origin isolated under the real CSP catches that, and the
 * one that aborts a pthread's script request checks the retry.
 */

/** Loads of one pthread's script before WASM start-up is declared failed. */
export const MAX_LOAD_ATTEMPTS = 4;
/** Wait before the n-th retry: n × this (a transient abort is over by then). */
const RETRY_DELAY_MS = 250;

let rejectStart: (e: Error) => void = () => {};
/** Rejects when a pthread worker has failed to load its script MAX_LOAD_ATTEMPTS times; never resolves. */
export const pthreadStartFailure: Promise<never> = new Promise<never>((_, reject) => {
  rejectStart = reject;
});
// Nobody may be waiting on it (WASM never started): no unhandled-rejection report for that.
pthreadStartFailure.catch(() => {});

type LoadMessage = { cmd: 'load'; urlOrBlob: string };

const isLoad = (m: unknown): m is { cmd: 'load'; urlOrBlob: unknown } => typeof m === 'object' && m !== null && (m as { cmd?: unknown }).cmd === 'load';

/** Replaces this worker's Worker constructor with one that serves pthreads `scriptUrl` and retries failed loads. */
export function servePthreadScriptFromOrigin(scriptUrl: string): void {
  const Native = self.Worker;
  if (typeof Native !== 'function') return;
  class PthreadWorker extends Native {
    private load: LoadMessage | null = null;
    private loaded = false;
    private attempts = 0;

    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (e: MessageEvent<{ cmd?: unknown } | null>) => {
        if (e.data?.cmd === 'loaded') this.loaded = true;
      });
      this.addEventListener('error', (e: ErrorEvent) => {
        if (this.loaded || !this.load) return;
        if (this.attempts >= MAX_LOAD_ATTEMPTS) {
          rejectStart(new Error(`a WebAssembly thread could not load ${scriptUrl} (${MAX_LOAD_ATTEMPTS} tries; last: ${e.message || 'no message'})`));
          return;
        }
        console.warn(`WASM thread: loading its script failed (${e.message || 'no message'}); retry ${this.attempts} of ${MAX_LOAD_ATTEMPTS - 1}`);
        const again = this.load;
        setTimeout(() => this.send(again), this.attempts * RETRY_DELAY_MS);
      });
    }

    private send(m: LoadMessage): void {
      this.attempts += 1;
      super.postMessage(m);
    }

    override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
      if (isLoad(message)) {
        // Only the Blob form is rewritten; a URL string is already loadable under our CSP.
        this.load = { ...message, urlOrBlob: message.urlOrBlob instanceof Blob ? scriptUrl : String(message.urlOrBlob) };
        this.send(this.load);
        return;
      }
      super.postMessage(message, options as StructuredSerializeOptions);
    }
  }
  self.Worker = PthreadWorker;
}
