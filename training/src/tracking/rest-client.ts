/**
 * A run on an MLflow tracking server (REST API 2.0). Logging never throws for transport trouble:
 * entries queue up and go out in log-batch calls within MLflow's limits (rest-batch.ts); when the
 * server is unreachable the queue waits (training goes on) and is retried on later calls and at
 * end(). Finding the experiment and creating or reopening the run: rest-session.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { MlflowApiError, MlflowHttp } from './http';
import { logBatchBody, takeBatch, type Entry } from './rest-batch';
import { checkKey, paramToString, type EndStatus, type ParamValue, type RegisterResult, type RunTracker } from './types';

interface Upload {
  local: string;
  remote: string;
}

export type Warn = (message: string) => void;
export const defaultWarn: Warn = (m) => process.stderr.write(`mlflow: ${m}\n`);

/** After a failed delivery, wait this long before blocking a log call on the server again. */
const COOLDOWN_MS = 30_000;

export class RestRun implements RunTracker {
  private queue: Entry[] = [];
  private uploads: Upload[] = [];
  private rejected = 0;
  private retryAt = 0;
  private flushing: Promise<void> | undefined;
  private warnedDown = false;

  constructor(
    private readonly http: MlflowHttp,
    readonly experimentId: string,
    readonly runId: string,
    readonly artifactUri: string,
    private readonly warn: Warn,
  ) {}

  /** Entries and files not (yet) accepted by the server. */
  get pending(): number {
    return this.queue.length + this.uploads.length;
  }

  async logParams(p: Record<string, ParamValue>): Promise<void> {
    for (const [key, v] of Object.entries(p)) {
      checkKey('param', key);
      this.queue.push({ kind: 'param', key, value: paramToString(v) });
    }
    this.kick();
  }

  async logMetric(key: string, value: number, step = 0): Promise<void> {
    await this.logMetrics({ [key]: value }, step);
  }

  async logMetrics(m: Record<string, number>, step = 0): Promise<void> {
    if (!Number.isInteger(step)) throw new Error(`mlflow: metric step must be an integer, got ${step}`);
    const timestamp = Date.now();
    for (const [key, value] of Object.entries(m)) {
      checkKey('metric', key);
      if (typeof value !== 'number') throw new Error(`mlflow: metric "${key}" must be a number, got ${JSON.stringify(value)}`);
      this.queue.push({ kind: 'metric', key, value, timestamp, step });
    }
    this.kick();
  }

  async setTag(key: string, value: string): Promise<void> {
    checkKey('tag', key);
    this.queue.push({ kind: 'tag', key, value });
    this.kick();
  }

  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const st = statSync(localPath, { throwIfNoEntry: false });
    if (!st) throw new Error(`mlflow: artifact ${localPath} does not exist`);
    if (artifactPath !== undefined && artifactPath !== '') checkKey('artifact path', artifactPath);
    if (st.isDirectory()) {
      const prefix = artifactPath ?? basename(localPath);
      for (const rel of listFiles(localPath)) this.uploads.push({ local: join(localPath, rel), remote: posix.join(prefix, rel) });
    } else {
      this.uploads.push({ local: localPath, remote: posix.join(artifactPath ?? '', basename(localPath)) });
    }
    this.kick();
  }

  async registerModel(name: string, artifactPath: string): Promise<RegisterResult> {
    try {
      try {
        await this.http.json('POST', 'registered-models/create', { name });
      } catch (e) {
        if (!(e instanceof MlflowApiError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e;
      }
      const r = await this.http.json<{ model_version: { version: string } }>('POST', 'model-versions/create', {
        name,
        source: `${this.artifactUri.replace(/\/+$/, '')}/${artifactPath}`,
        run_id: this.runId,
      });
      return { ok: true, version: String(r.model_version.version) };
    } catch (e) {
      const error = (e as Error).message;
      this.warn(`model registry unavailable, "${name}" not registered (${error})`);
      return { ok: false, error };
    }
  }

  async end(status: EndStatus): Promise<{ undelivered: number }> {
    // Last chance: ignore the cool-down and try the queue a few times before giving up on it.
    if (this.flushing) await this.flushing;
    for (let round = 0; round < 3 && this.pending > 0; round++) {
      this.retryAt = 0;
      await this.deliver();
    }
    let statusLost = 0;
    try {
      await this.http.json('POST', 'runs/update', { run_id: this.runId, status, end_time: Date.now() });
    } catch (e) {
      statusLost = 1;
      this.warn(`could not mark run ${this.runId} ${status}: ${(e as Error).message}`);
    }
    const undelivered = this.pending + this.rejected + statusLost;
    if (undelivered > 0) {
      const metrics = this.queue.filter((q) => q.kind === 'metric').length;
      this.warn(
        `run ${this.runId}: ${undelivered} item(s) not delivered to ${this.http.where} ` +
          `(${metrics} metric points, ${this.queue.length - metrics} params/tags, ${this.uploads.length} artifact files, ${this.rejected} rejected, ${statusLost} status update)`,
      );
    }
    return { undelivered };
  }

  /**
   * Log calls start delivery in the background and return at once, so a slow or absent server
   * never stalls training; entries logged meanwhile ride along in the next batch.
   */
  private kick(): void {
    void this.deliver();
  }

  /** Waits until what is queued now has been sent, or the server has failed (then it stays queued). */
  async flushNow(): Promise<void> {
    this.retryAt = 0;
    await this.deliver();
    if (this.pending > 0 && Date.now() >= this.retryAt) await this.deliver();
  }

  /** Sends what is queued unless the server recently failed; one delivery at a time. */
  private async deliver(): Promise<void> {
    if (Date.now() < this.retryAt) return;
    if (!this.flushing) this.flushing = this.flush().finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const chunk = takeBatch(this.queue);
        try {
          await this.http.json('POST', 'runs/log-batch', logBatchBody(this.runId, chunk));
        } catch (e) {
          if (!(e instanceof MlflowApiError) || e.retryable) throw e;
          // The server refused the content (e.g. a param changed value): resending cannot help.
          this.rejected += chunk.length;
          this.warn(`${chunk.length} log entries rejected: ${e.message}`);
        }
        this.queue.splice(0, chunk.length);
      }
      while (this.uploads.length > 0) {
        const u = this.uploads[0]!;
        try {
          await this.http.put(this.artifactPath(u.remote), readFileSync(u.local), u.remote);
        } catch (e) {
          if (!(e instanceof MlflowApiError) || e.retryable) throw e;
          this.rejected += 1;
          this.warn(`artifact ${u.remote} rejected: ${e.message}`);
        }
        this.uploads.shift();
      }
      if (this.warnedDown) this.warn(`server reachable again, backlog delivered`);
      this.warnedDown = false;
    } catch (e) {
      this.retryAt = Date.now() + COOLDOWN_MS;
      if (!this.warnedDown) this.warn(`delivery failed, buffering ${this.pending} item(s) and retrying later: ${(e as Error).message}`);
      this.warnedDown = true;
    }
  }

  /** mlflow-artifacts:/<exp>/<run>/artifacts → the proxy path; other schemes use the server's default layout. */
  private artifactPath(remote: string): string {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(this.artifactUri);
    const root = m?.[1] ? m[1].replace(/\/+$/, '') : `${this.experimentId}/${this.runId}/artifacts`;
    return [...root.split('/'), ...remote.split('/')].map(encodeURIComponent).join('/');
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? posix.join(prefix, e.name) : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}
