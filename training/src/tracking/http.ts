/**
 * MLflow REST transport: auth, timeouts, retry with backoff on 429/5xx/network errors, and
 * errors that never carry credentials. Knobs use MLflow's own environment variable names.
 */
import { processEnv, type Env } from '../config/env';

export interface HttpOptions {
  timeoutMs: number;
  maxRetries: number;
  /** Seconds; attempt n waits backoffFactor * 2^n (capped), like MLflow's urllib3 retry. */
  backoffFactor: number;
  maxBackoffMs: number;
}

export function httpOptionsFromEnv(env: Env = processEnv()): HttpOptions {
  const num = (name: string, dflt: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    timeoutMs: num('MLFLOW_HTTP_REQUEST_TIMEOUT', 120) * 1000,
    maxRetries: Math.floor(num('MLFLOW_HTTP_REQUEST_MAX_RETRIES', 5)),
    backoffFactor: num('MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', 2),
    maxBackoffMs: num('MLFLOW_HTTP_REQUEST_BACKOFF_JITTER_CAP', 60) * 1000,
  };
}

/** An error the server answered with; `errorCode` is MLflow's (RESOURCE_ALREADY_EXISTS, …). */
export class MlflowApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** The server could not be reached (refused, reset, timed out) even after retries. */
export class MlflowUnreachableError extends Error {
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'MlflowUnreachableError';
  }
}

export interface Credentials {
  authorization?: string;
  secrets: string[];
}

/** Splits user:pass@ out of the URI and picks up MLFLOW_TRACKING_TOKEN / USERNAME / PASSWORD. */
export function resolveServer(uri: string, env: Env = processEnv()): { base: URL; creds: Credentials } {
  const base = new URL(uri);
  const secrets: string[] = [];
  let user = env.MLFLOW_TRACKING_USERNAME;
  let pass = env.MLFLOW_TRACKING_PASSWORD;
  if (base.username || base.password) {
    user = decodeURIComponent(base.username);
    pass = decodeURIComponent(base.password);
    base.username = '';
    base.password = '';
  }
  const token = env.MLFLOW_TRACKING_TOKEN;
  let authorization: string | undefined;
  if (token) {
    authorization = `Bearer ${token}`;
    secrets.push(token);
  } else if (user !== undefined && user !== '') {
    const basic = Buffer.from(`${user}:${pass ?? ''}`).toString('base64');
    authorization = `Basic ${basic}`;
    secrets.push(basic);
    if (pass) secrets.push(pass, encodeURIComponent(pass));
  }
  return { base, creds: { authorization, secrets: secrets.filter((s) => s.length >= 3) } };
}

export class MlflowHttp {
  constructor(
    readonly base: URL,
    private readonly creds: Credentials,
    private readonly opts: HttpOptions,
  ) {}

  /** Removes anything secret from text that may end up in a log or an error. */
  redact(text: string): string {
    let out = text;
    for (const s of this.creds.secrets) out = out.split(s).join('***');
    return out;
  }

  /** The server's origin and path, as safe to print. */
  get where(): string {
    return this.base.href;
  }

  /** Hosted servers live under a path (DagsHub: /<user>/<repo>.mlflow); the API hangs off it. */
  private endpoint(rest: string): URL {
    return new URL(`${this.base.pathname.replace(/\/+$/, '')}/api/2.0/${rest}`, this.base.origin);
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = this.endpoint(`mlflow/${path}`);
    let payload: string | undefined;
    if (method === 'GET' && body) {
      for (const [k, v] of Object.entries(body as Record<string, string>)) url.searchParams.set(k, v);
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
    }
    const res = await this.send(method, url, payload, 'application/json', `${method} ${path}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  async put(path: string, data: Uint8Array, label: string): Promise<void> {
    const url = this.endpoint(`mlflow-artifacts/artifacts/${path}`);
    const res = await this.send('PUT', url, data, 'application/octet-stream', `PUT artifact ${label}`);
    await res.arrayBuffer();
  }

  private async send(method: string, url: URL, body: string | Uint8Array | undefined, contentType: string, label: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': 'respidetect-training' };
    if (this.creds.authorization) headers.authorization = this.creds.authorization;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs(attempt, lastError));
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs) });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const why = e.name === 'TimeoutError' ? `timed out after ${this.opts.timeoutMs} ms` : (e.cause?.code ?? e.message);
        lastError = new MlflowUnreachableError(this.redact(`mlflow ${label} at ${this.where}: ${why}`));
        continue;
      }
      if (res.ok) return res;
      const text = await res.text().catch(() => '');
      let code: string | undefined;
      let message = text.slice(0, 500);
      try {
        const doc = JSON.parse(text) as { error_code?: string; message?: string };
        code = doc.error_code;
        message = doc.message ?? message;
      } catch {
        // not JSON (a proxy's HTML page): keep the start of the text
      }
      const err = new MlflowApiError(this.redact(`mlflow ${label} at ${this.where}: HTTP ${res.status}${code ? ` ${code}` : ''}: ${message}`), res.status, code);
      (err as MlflowApiError & { retryAfterMs?: number }).retryAfterMs = retryAfterMs(res.headers.get('retry-after'));
      if (!err.retryable) throw err;
      lastError = err;
    }
    throw lastError ?? new Error(`mlflow ${label}: no attempt made`);
  }

  private backoffMs(attempt: number, last: Error | undefined): number {
    const hinted = (last as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    const exp = this.opts.backoffFactor * 1000 * 2 ** (attempt - 1);
    const wait = hinted !== undefined ? Math.max(hinted, exp) : exp;
    // Jitter spreads retries from several workers hitting one recovering server.
    return Math.min(this.opts.maxBackoffMs, wait) * (0.75 + Math.random() * 0.5);
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s)) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
