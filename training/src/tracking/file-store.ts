/**
 * Writes MLflow's FileStore layout (what `mlflow ui --backend-store-uri ./mlruns` reads):
 *   mlruns/0/meta.yaml                       the Default experiment, always present
 *   mlruns/<exp id>/meta.yaml                artifact_location, creation_time, experiment_id, lifecycle_stage, name …
 *   mlruns/<exp id>/<run id>/meta.yaml       run info; status is the RunStatus integer
 *   mlruns/<exp id>/<run id>/metrics/<key>   one "<ms> <value> <step>" line per logged point
 *   mlruns/<exp id>/<run id>/params/<key>    the value, as the file's whole content
 *   mlruns/<exp id>/<run id>/tags/<key>      likewise
 *   mlruns/<exp id>/<run id>/artifacts/      copied files
 * Keys containing "/" become sub-folders, as in MLflow.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../util/atomic';
import { checkKey, paramToString, RUN_STATUS, type EndStatus, type ParamValue, type RegisterResult, type RunTracker } from './types';

const DEFAULT_EXPERIMENT_ID = '0';
const RESERVED_DIRS = new Set(['.trash', 'models']);

type Yaml = Record<string, unknown>;

function readYaml(path: string): Yaml {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (typeof doc !== 'object' || doc === null) throw new Error(`${path}: not a YAML mapping`);
  return doc as Yaml;
}

const writeYaml = (path: string, doc: Yaml) => writeFileAtomic(path, stringify(doc));

/** Python's str(float) spelling, which MLflow's reader parses back with float(). */
function formatMetric(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** MLflow's _generate_unique_integer_id: a random positive int63, written in decimal. */
function newExperimentId(): string {
  return (randomBytes(8).readBigUInt64BE() & 0x7fffffffffffffffn).toString();
}

export class FileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(join(this.root, '.trash'), { recursive: true });
    this.ensureExperimentMeta(DEFAULT_EXPERIMENT_ID, 'Default');
  }

  private ensureExperimentMeta(id: string, name: string): void {
    const meta = join(this.root, id, 'meta.yaml');
    if (existsSync(meta)) return;
    const now = Date.now();
    writeYaml(meta, {
      artifact_location: pathToFileURL(join(this.root, id)).href,
      creation_time: now,
      experiment_id: id,
      last_update_time: now,
      lifecycle_stage: 'active',
      name,
    });
  }

  /** Finds an active experiment by name, or creates it. */
  getOrCreateExperiment(name: string): string {
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || RESERVED_DIRS.has(entry.name)) continue;
      const meta = join(this.root, entry.name, 'meta.yaml');
      if (!existsSync(meta)) continue;
      const doc = readYaml(meta);
      if (doc.name === name && doc.lifecycle_stage !== 'deleted') return String(doc.experiment_id);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = newExperimentId();
      try {
        mkdirSync(join(this.root, id)); // non-recursive: fails if another process took the id
      } catch {
        continue;
      }
      this.ensureExperimentMeta(id, name);
      return id;
    }
    throw new Error(`mlflow file store ${this.root}: could not allocate an experiment id`);
  }

  createRun(experimentId: string, runName: string, user: string, tags: Record<string, string>): FileRun {
    const runId = randomUUID().replaceAll('-', '');
    const dir = join(this.root, experimentId, runId);
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) mkdirSync(join(dir, sub), { recursive: true });
    writeYaml(join(dir, 'meta.yaml'), {
      artifact_uri: pathToFileURL(join(dir, 'artifacts')).href,
      end_time: null,
      entry_point_name: '',
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      run_id: runId,
      run_name: runName,
      run_uuid: runId,
      source_name: '',
      source_type: 4, // SourceType.LOCAL
      source_version: '',
      start_time: Date.now(),
      status: RUN_STATUS.RUNNING,
      tags: [],
      user_id: user,
    });
    const run = new FileRun(this, experimentId, runId);
    for (const [k, v] of Object.entries(tags)) run.writeTag(k, v);
    return run;
  }

  /** Re-opens an existing active run (a later pipeline stage continuing the same run), or undefined. */
  openRun(experimentId: string, runId: string): FileRun | undefined {
    if (!/^[0-9a-f]{32}$/.test(runId) || !/^\d+$/.test(experimentId)) return undefined;
    const meta = join(this.root, experimentId, runId, 'meta.yaml');
    if (!existsSync(meta)) return undefined;
    const doc = readYaml(meta);
    if (doc.lifecycle_stage !== 'active') return undefined;
    writeYaml(meta, { ...doc, status: RUN_STATUS.RUNNING, end_time: null });
    return new FileRun(this, experimentId, runId);
  }
}

export class FileRun implements RunTracker {
  readonly artifactUri: string;
  private readonly dir: string;

  constructor(
    store: FileStore,
    readonly experimentId: string,
    readonly runId: string,
  ) {
    this.dir = join(store.root, experimentId, runId);
    this.artifactUri = pathToFileURL(join(this.dir, 'artifacts')).href;
  }

  writeTag(key: string, value: string): void {
    checkKey('tag', key);
    writeFileAtomic(join(this.dir, 'tags', key), value);
  }

  async logParams(p: Record<string, ParamValue>): Promise<void> {
    for (const [key, raw] of Object.entries(p)) {
      checkKey('param', key);
      const value = paramToString(raw);
      const file = join(this.dir, 'params', key);
      // MLflow forbids changing a logged param; a resumed stage re-logging the same value is fine.
      if (existsSync(file)) {
        const old = readFileSync(file, 'utf8');
        if (old !== value) throw new Error(`mlflow: param "${key}" was already logged as ${JSON.stringify(old)}, cannot change it to ${JSON.stringify(value)}`);
        continue;
      }
      writeFileAtomic(file, value);
    }
  }

  async logMetric(key: string, value: number, step = 0): Promise<void> {
    await this.logMetrics({ [key]: value }, step);
  }

  async logMetrics(m: Record<string, number>, step = 0): Promise<void> {
    if (!Number.isInteger(step)) throw new Error(`mlflow: metric step must be an integer, got ${step}`);
    const ts = Date.now();
    for (const [key, value] of Object.entries(m)) {
      checkKey('metric', key);
      if (typeof value !== 'number') throw new Error(`mlflow: metric "${key}" must be a number, got ${JSON.stringify(value)}`);
      const file = join(this.dir, 'metrics', key);
      mkdirSync(join(file, '..'), { recursive: true });
      appendFileSync(file, `${ts} ${formatMetric(value)} ${step}\n`);
    }
  }

  async setTag(key: string, value: string): Promise<void> {
    this.writeTag(key, value);
  }

  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    if (!existsSync(localPath)) throw new Error(`mlflow: artifact ${localPath} does not exist`);
    if (artifactPath !== undefined && artifactPath !== '') checkKey('artifact path', artifactPath);
    const isDir = statSync(localPath).isDirectory();
    const destDir = join(this.dir, 'artifacts', isDir ? (artifactPath ?? basename(localPath)) : (artifactPath ?? ''));
    mkdirSync(destDir, { recursive: true });
    cpSync(localPath, isDir ? destDir : join(destDir, basename(localPath)), { recursive: true });
  }

  async registerModel(name: string): Promise<RegisterResult> {
    return { ok: false, error: `model registry needs a tracking server; "${name}" is not registered in the file store` };
  }

  async end(status: EndStatus): Promise<{ undelivered: number }> {
    const meta = join(this.dir, 'meta.yaml');
    writeYaml(meta, { ...readYaml(meta), status: RUN_STATUS[status], end_time: Date.now() });
    return { undelivered: 0 };
  }
}
