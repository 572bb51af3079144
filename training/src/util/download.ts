/**
 * HTTP(S) download to a file that is either complete and verified or absent.
 *
 * Bytes go to `<dest>.part`; an interrupted transfer resumes from there with a Range request when
 * the server honours it and restarts from zero when it does not. Only after the length and the
 * checksums match is the part file renamed onto `dest`, so a file at `dest` always means "done":
 * that is also the cache (a second call with a matching checksum downloads nothing).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { hashFile } from './hash';
import { progress } from './progress';

export interface DownloadOptions {
  url: string;
  dest: string;
  sha256?: string;
  md5?: string;
  label?: string;
  retries?: number;
  headers?: Record<string, string>;
  /** Give up on an attempt when no bytes arrive for this long (not a limit on the whole transfer). */
  timeoutMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
}

/** An HTTP answer that retrying will not change (404, 401, …). */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** The URL as it may appear in a message: no user:password, no query (signed URLs carry tokens there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '<unparseable url>';
  }
}

/** Header values (tokens, basic auth) must never reach a log, even inside a library's error text. */
function scrub(message: string, headers: Record<string, string>): string {
  let out = message;
  for (const v of Object.values(headers)) {
    if (v.length >= 4) out = out.split(v).join('***');
    // Basic auth: also hide the base64 payload on its own.
    const m = /^\s*(?:basic|bearer)\s+(.+)$/i.exec(v);
    if (m?.[1]) out = out.split(m[1]).join('***');
  }
  return out;
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, socket closed…) is in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause && !err.message.includes(cause) ? `${err.message} (${cause})` : err.message;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const sizeOf = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
const removeIfPresent = (p: string) => {
  if (existsSync(p)) unlinkSync(p);
};

async function verify(path: string, opts: DownloadOptions, label: string): Promise<string> {
  const sha = await hashFile(path, 'sha256');
  const checks: Array<[string, string | undefined, () => Promise<string>]> = [
    ['sha256', opts.sha256, async () => sha],
    ['md5', opts.md5, () => hashFile(path, 'md5')],
  ];
  for (const [name, expected, actual] of checks) {
    if (!expected) continue;
    const got = await actual();
    if (got.toLowerCase() !== expected.trim().toLowerCase())
      throw new ChecksumError(`${label}: ${name} mismatch for ${path}: expected ${expected.trim().toLowerCase()}, got ${got}`);
  }
  return sha;
}

export class ChecksumError extends Error {
  override name = 'ChecksumError';
}

/** Total size from "bytes 100-199/200" (or "bytes *\/200"); NaN when the server does not say. */
function contentRangeTotal(h: string | null): number {
  const m = /\/(\d+)\s*$/.exec(h ?? '');
  return m ? Number(m[1]) : NaN;
}

function contentRangeStart(h: string | null): number {
  const m = /^\s*bytes\s+(\d+)-/i.exec(h ?? '');
  return m ? Number(m[1]) : NaN;
}

/**
 * One HTTP attempt, appending to the part file. Resolves when the body ended and the part file
 * has the full length (when the server told us the length); rejects on anything else.
 */
async function attempt(opts: DownloadOptions, part: string, label: string): Promise<void> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let offset = sizeOf(part);
  if (offset > 0) headers.Range = `bytes=${offset}-`;

  const controller = new AbortController();
  const idleMs = opts.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  };
  arm();
  try {
    const res = await fetch(opts.url, { headers, signal: controller.signal, redirect: 'follow' });
    if (res.status === 416 && offset > 0) {
      // The part file already holds everything (or is longer than the file): decide by total size.
      await res.body?.cancel();
      const total = contentRangeTotal(res.headers.get('content-range'));
      if (total === offset) return;
      unlinkSync(part);
      throw new Error(`${label}: server refused to resume at byte ${offset}; restarting`);
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      const msg = `${label}: HTTP ${res.status} ${res.statusText} from ${redactUrl(opts.url)}`;
      if (RETRYABLE_STATUS.has(res.status)) throw new Error(msg);
      throw new HttpError(msg, res.status);
    }
    let total: number;
    if (res.status === 206 && contentRangeStart(res.headers.get('content-range')) === offset) {
      total = contentRangeTotal(res.headers.get('content-range'));
    } else {
      // 200 (no Range support, or no Range asked) or a 206 for some other range: start over.
      if (res.status === 206) {
        await res.body?.cancel();
        unlinkSync(part);
        throw new Error(`${label}: server answered a different range than asked; restarting`);
      }
      offset = 0;
      const len = res.headers.get('content-length');
      total = len !== null && !res.headers.get('content-encoding') ? Number(len) : NaN;
    }
    if (!res.body) throw new Error(`${label}: empty response body`);

    const bar = progress(`download ${label}`, Number.isFinite(total) ? Math.ceil(total / 1024) : 0, 'KiB');
    let written = offset;
    bar.set(Math.floor(written / 1024));
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    const closed = new Promise<void>((resolve, reject) => {
      out.on('close', resolve);
      out.on('error', reject);
    });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        written += chunk.byteLength;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
        bar.set(Math.floor(written / 1024));
      }
    } finally {
      out.end();
      await closed;
    }
    if (Number.isFinite(total) && written !== total)
      throw new Error(`${label}: connection ended at byte ${written} of ${total}`);
    bar.done();
  } finally {
    clearTimeout(timer);
  }
}

export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const label = opts.label ?? basename(opts.dest);
  const headers = opts.headers ?? {};
  const part = `${opts.dest}.part`;
  mkdirSync(dirname(opts.dest), { recursive: true });

  if (existsSync(opts.dest)) {
    if (!opts.sha256 && !opts.md5) {
      // Without a checksum the atomic rename is the proof of completeness.
      return { path: opts.dest, bytes: sizeOf(opts.dest), sha256: await hashFile(opts.dest) };
    }
    try {
      const sha = await verify(opts.dest, opts, label);
      return { path: opts.dest, bytes: sizeOf(opts.dest), sha256: sha };
    } catch (err) {
      if (!(err instanceof ChecksumError)) throw err;
      // A stale or different file at dest: fetch it again rather than trust it.
      unlinkSync(opts.dest);
    }
  }

  const retries = opts.retries ?? 4;
  let lastError: unknown;
  for (let i = 0; i <= retries; i++) {
    if (i > 0) await sleep(Math.min(250 * 2 ** (i - 1), 8000));
    try {
      await attempt(opts, part, label);
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
      if (err instanceof HttpError) break;
    }
  }
  if (lastError !== undefined) {
    const tries = lastError instanceof HttpError ? '' : ` after ${retries + 1} attempts`;
    const msg = scrub(`download of ${label} failed${tries}: ${describe(lastError)}`, headers);
    throw lastError instanceof HttpError ? new HttpError(msg, lastError.status) : new Error(msg);
  }

  let sha: string;
  try {
    sha = await verify(part, opts, label);
  } catch (err) {
    removeIfPresent(part);
    throw err;
  }
  renameSync(part, opts.dest);
  return { path: opts.dest, bytes: sizeOf(opts.dest), sha256: sha };
}
