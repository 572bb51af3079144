/**
 * One file over HTTP, robustly: retries with exponential backoff on network errors and 5xx/429,
 * and an interrupted body resumes with a Range request (guarded by If-Range, so a file that
 * changed on the server restarts cleanly instead of being spliced from two versions).
 */
import { ModelDownloadError } from './errors';

export interface DownloadOptions {
  signal?: AbortSignal;
  /** RequestInit.cache; 'reload' bypasses the HTTP cache after an integrity failure. */
  cache?: RequestCache;
  /** Bytes of this file received so far (falls back when a download restarts) and its size, when known. */
  onProgress?: (loaded: number, total: number | null) => void;
  /** Attempts after the first. */
  retries?: number;
  /** First backoff delay; doubles each attempt, with jitter, capped at 5 s. */
  backoffMs?: number;
}

/** The server said the file does not exist; retrying will not help. */
export class NotFoundError extends Error {
  constructor(
    readonly url: string,
    readonly file: string,
  ) {
    super(`${file}: ${url} answered 404 Not Found`);
    this.name = 'NotFoundError';
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 5_000;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The download was aborted', 'AbortError');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** "bytes 100-199/1000" → { start: 100, total: 1000 } (total null for "*"). */
function parseContentRange(header: string | null): { start: number; total: number | null } | null {
  const m = header && /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim());
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

/** Length of the body as it arrives; unknown when the server compressed it on the fly. */
function bodyLength(res: Response): number | null {
  if (res.headers.get('content-encoding')) return null;
  const len = res.headers.get('content-length');
  return len !== null && /^\d+$/.test(len) ? Number(len) : null;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** Downloads `url` completely; `file` names it in errors. */
export async function download(url: string, file: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const { signal, cache, onProgress, retries = 4, backoffMs = 300 } = opts;
  let chunks: Uint8Array[] = [];
  let received = 0;
  let total: number | null = null;
  let validator: string | null = null;
  let lastError: unknown = null;

  const restart = () => {
    chunks = [];
    received = 0;
    onProgress?.(0, total);
  };

  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      const delay = Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      await sleep(delay, signal);
    }
    const headers: Record<string, string> = {};
    const resuming = received > 0;
    if (resuming) {
      headers.Range = `bytes=${received}-`;
      if (validator) headers['If-Range'] = validator;
    }
    let res: Response;
    try {
      res = await fetch(url, { signal, cache, headers });
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      lastError = e;
      continue;
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new NotFoundError(url, file);
    }
    if (resuming && res.status === 416) {
      // Our offset is past the end: the file changed under us. Start over without Range.
      await res.body?.cancel();
      restart();
      lastError = new Error('416 Range Not Satisfiable');
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel();
      lastError = new Error(`HTTP ${res.status} ${res.statusText}`);
      if (RETRYABLE_STATUS.has(res.status)) continue;
      throw new ModelDownloadError(file, `the server answered HTTP ${res.status} ${res.statusText}`.trim());
    }
    if (res.status === 206) {
      const range = parseContentRange(res.headers.get('content-range'));
      if (!resuming || !range || range.start !== received) {
        // A range we did not ask for: trust nothing of it and start over with a plain request.
        await res.body?.cancel();
        restart();
        lastError = new Error(`unexpected partial response (${res.headers.get('content-range') ?? 'no Content-Range'})`);
        continue;
      }
      total = range.total ?? total;
    } else {
      // A full response: either the first attempt, or the server ignored/refused our Range.
      if (resuming) restart();
      const len = bodyLength(res);
      total = len;
    }
    validator = res.headers.get('etag') ?? res.headers.get('last-modified') ?? validator;
    onProgress?.(received, total);

    if (!res.body) {
      const buf = new Uint8Array(await res.arrayBuffer());
      chunks.push(buf);
      received += buf.byteLength;
      onProgress?.(received, total);
    } else {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          received += value.byteLength;
          onProgress?.(received, total);
        }
      } catch (e) {
        if (signal?.aborted) throw abortError(signal);
        lastError = e;
        // Keep what arrived; the next attempt asks for the rest.
        continue;
      }
    }
    if (total !== null && received < total) {
      lastError = new Error(`connection closed after ${received} of ${total} bytes`);
      continue;
    }
    if (total !== null && received > total) {
      restart();
      lastError = new Error(`received more bytes than the ${total} announced`);
      continue;
    }
    return concat(chunks, received);
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ModelDownloadError(file, `download failed after ${retries + 1} attempts (${reason})`, { cause: lastError });
}
