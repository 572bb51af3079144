/**
 * A loopback (127.0.0.1) HTTP server that speaks the MLflow REST API 2.0 the way a tracking
 * server does, and checks every request it gets against the API's rules: paths, methods, JSON
 * body fields and types, auth header, log-batch limits. Violations are recorded (and answered
 * 400) so a test can assert there were none. Faults are scripted per endpoint to replay MLflow's
 * error replies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault { status: number; error_code?: string; message?: string; retryAfter?: string; hang?: boolean; body?: string; /** runs just before the reply, e.g. another client winning a race */ before?: () => void }

export interface Received { method: string; path: string; auth: string | undefined; body: unknown; bytes?: Buffer }

export class WireServer {
  readonly received: Received[] = [];
  readonly violations: string[] = [];
  readonly faults = new Map<string, Fault[]>();
  readonly experiments = new Map<string, string>();
  readonly runs = new Map<string, { experiment_id: string; status: string; end_time?: number; params: Map<string, string>; tags: Map<string, string>; metrics: { key: string; value: unknown; timestamp: number; step: number }[] }>();
  readonly artifacts = new Map<string, Buffer>();
  readonly models = new Map<string, number>();
  registryEnabled = true;
  artifactScheme: 'mlflow-artifacts' | 's3' = 'mlflow-artifacts';
  private server: Server | undefined;
  port = 0;

  constructor(readonly expectedAuth: string | undefined) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fault(endpoint: string, ...f: Fault[]): void {
    this.faults.set(endpoint, [...(this.faults.get(endpoint) ?? []), ...f]);
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The server goes away: listening stops and open connections are cut. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private violation(msg: string): void {
    this.violations.push(msg);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = req.headers.authorization;
    if (auth !== this.expectedAuth) {
      this.violation(`${req.method} ${url.pathname}: authorization ${auth === undefined ? 'missing' : 'wrong'}`);
      return reply(res, 401, { error_code: 'UNAUTHENTICATED', message: 'bad credentials' });
    }
    const art = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(url.pathname);
    if (art) {
      this.received.push({ method: req.method ?? '', path: url.pathname, auth, body: undefined, bytes: raw });
      if (req.method !== 'PUT') return this.bad(res, `artifact ${req.method} instead of PUT`);
      const endpoint = 'artifacts';
      if (await this.applyFault(endpoint, res)) return;
      this.artifacts.set(decodeURIComponent(art[1]!), raw);
      return reply(res, 200, {});
    }
    const m = /^\/api\/2\.0\/mlflow\/(.+)$/.exec(url.pathname);
    let body: Record<string, unknown> = {};
    if (req.method === 'POST') {
      if (!String(req.headers['content-type']).startsWith('application/json')) this.violation(`${url.pathname}: content-type ${req.headers['content-type']}`);
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.bad(res, `${url.pathname}: body is not JSON`);
      }
    } else {
      body = Object.fromEntries(url.searchParams);
    }
    this.received.push({ method: req.method ?? '', path: url.pathname, auth, body });
    if (!m) return reply(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `no endpoint ${url.pathname}` });
    const endpoint = m[1]!;
    if (await this.applyFault(endpoint, res)) return;
    const want = (method: string) => {
      if (req.method !== method) throw new Violation(`${endpoint} must be ${method}, got ${req.method}`);
    };
    const str = (k: string, optional = false): string => {
      const v = body[k];
      if (v === undefined && optional) return '';
      if (typeof v !== 'string' || v === '') throw new Violation(`${endpoint}: "${k}" must be a non-empty string, got ${JSON.stringify(v)}`);
      return v;
    };
    const kvList = (k: string): { key: string; value: string }[] => {
      const v = body[k] ?? [];
      if (!Array.isArray(v)) throw new Violation(`${endpoint}: "${k}" must be a list`);
      for (const t of v as unknown[]) {
        const o = t as Record<string, unknown>;
        if (typeof o.key !== 'string' || typeof o.value !== 'string') throw new Violation(`${endpoint}: "${k}" items need string key and value, got ${JSON.stringify(t)}`);
      }
      return v as { key: string; value: string }[];
    };
    const run = () => {
      const r = this.runs.get(str('run_id'));
      if (!r) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run '${String(body.run_id)}' not found`);
      return r;
    };
    try {
      switch (endpoint) {
        case 'experiments/get-by-name': {
          want('GET');
          const id = this.experiments.get(str('experiment_name'));
          if (id === undefined) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${String(body.experiment_name)}'`);
          return reply(res, 200, { experiment: { experiment_id: id, name: body.experiment_name, lifecycle_stage: 'active' } });
        }
        case 'experiments/create': {
          want('POST');
          const name = str('name');
          if (this.experiments.has(name)) throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Experiment '${name}' already exists.`);
          const id = String(this.experiments.size + 1);
          this.experiments.set(name, id);
          return reply(res, 200, { experiment_id: id });
        }
        case 'runs/create': {
          want('POST');
          const experiment_id = str('experiment_id');
          if (![...this.experiments.values()].includes(experiment_id)) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No experiment ${experiment_id}`);
          if (!Number.isInteger(body.start_time)) throw new Violation('runs/create: start_time must be integer ms');
          const tags = kvList('tags');
          const run_id = `${this.runs.size + 1}`.padStart(32, 'a');
          this.runs.set(run_id, { experiment_id, status: 'RUNNING', params: new Map(), tags: new Map(tags.map((t) => [t.key, t.value])), metrics: [] });
          const artifact_uri = this.artifactScheme === 's3' ? `s3://bucket/${experiment_id}/${run_id}/artifacts` : `mlflow-artifacts:/${experiment_id}/${run_id}/artifacts`;
          return reply(res, 200, { run: { info: { run_id, run_uuid: run_id, experiment_id, status: 'RUNNING', artifact_uri, lifecycle_stage: 'active', run_name: body.run_name }, data: {} } });
        }
        case 'runs/get': {
          want('GET');
          const r = run();
          const run_id = String(body.run_id);
          return reply(res, 200, { run: { info: { run_id, experiment_id: r.experiment_id, status: r.status, artifact_uri: `mlflow-artifacts:/${r.experiment_id}/${run_id}/artifacts`, lifecycle_stage: 'active' } } });
        }
        case 'runs/log-batch': {
          want('POST');
          const r = run();
          const metrics = (body.metrics ?? []) as Record<string, unknown>[];
          const params = kvList('params');
          const tags = kvList('tags');
          if (!Array.isArray(metrics)) throw new Violation('log-batch: metrics must be a list');
          if (metrics.length > 1000 || params.length > 100 || tags.length > 100 || metrics.length + params.length + tags.length > 1000) {
            throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `A batch logging request can contain at most 1000 metrics, 100 params, 100 tags; got ${metrics.length}/${params.length}/${tags.length}`, true);
          }
          for (const x of metrics) {
            const okValue = typeof x.value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(x.value as string);
            if (typeof x.key !== 'string' || !okValue || !Number.isInteger(x.timestamp) || !Number.isInteger(x.step)) throw new Violation(`log-batch: bad metric ${JSON.stringify(x)}`);
          }
          for (const p of params) {
            const old = r.params.get(p.key);
            if (old !== undefined && old !== p.value) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}'`);
          }
          for (const p of params) r.params.set(p.key, p.value);
          for (const t of tags) r.tags.set(t.key, t.value);
          for (const x of metrics) r.metrics.push(x as { key: string; value: unknown; timestamp: number; step: number });
          return reply(res, 200, {});
        }
        case 'runs/set-tag': {
          want('POST');
          run().tags.set(str('key'), str('value', true));
          return reply(res, 200, {});
        }
        case 'runs/update': {
          want('POST');
          const r = run();
          const status = str('status');
          if (!['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].includes(status)) throw new Violation(`runs/update: status ${status} is not a RunStatus name`);
          if (body.end_time !== undefined && !Number.isInteger(body.end_time)) throw new Violation('runs/update: end_time must be integer ms');
          r.status = status;
          if (body.end_time !== undefined) r.end_time = body.end_time as number;
          return reply(res, 200, { run_info: { run_id: body.run_id, status } });
        }
        case 'registered-models/create': {
          want('POST');
          if (!this.registryEnabled) throw new ApiError(404, 'ENDPOINT_NOT_FOUND', 'Model registry is not available');
          const name = str('name');
          if (this.models.has(name)) throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
          this.models.set(name, 0);
          return reply(res, 200, { registered_model: { name } });
        }
        case 'model-versions/create': {
          want('POST');
          const name = str('name');
          const source = str('source');
          if (!this.models.has(name)) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
          run();
          const version = this.models.get(name)! + 1;
          this.models.set(name, version);
          return reply(res, 200, { model_version: { name, version: String(version), source, run_id: body.run_id } });
        }
        default:
          return reply(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `no endpoint ${endpoint}` });
      }
    } catch (e) {
      if (e instanceof Violation) return this.bad(res, e.message);
      if (e instanceof ApiError) {
        if (e.isViolation) this.violation(e.message);
        return reply(res, e.status, { error_code: e.code, message: e.message });
      }
      throw e;
    }
  }

  private bad(res: ServerResponse, msg: string): void {
    this.violation(msg);
    reply(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: msg });
  }

  private async applyFault(endpoint: string, res: ServerResponse): Promise<boolean> {
    const f = this.faults.get(endpoint)?.shift();
    if (!f) return false;
    f.before?.();
    if (f.hang) return true; // never answers: the client's timeout must fire
    if (f.retryAfter) res.setHeader('retry-after', f.retryAfter);
    if (f.body !== undefined) {
      res.writeHead(f.status, { 'content-type': 'text/html' }).end(f.body);
      return true;
    }
    reply(res, f.status, { error_code: f.error_code, message: f.message ?? 'scripted fault' });
    return true;
  }
}

class Violation extends Error {}
class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly isViolation = false) {
    super(message);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
