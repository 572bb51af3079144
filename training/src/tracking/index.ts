/**
 * Experiment tracking for the pipeline, MLflow-compatible, chosen by MLFLOW_TRACKING_URI:
 *   unset, a path or file:…  → an MLflow FileStore (./mlruns by default), works offline
 *   http:// or https://      → an MLflow tracking server over REST API 2.0 (DagsHub, self-hosted)
 *   sqlite:, postgresql:, databricks, … → a clear "not supported" error
 *
 * One MLflow run per trained model, across stage processes: `train` starts a fresh run and
 * records its id in PIPELINE_RUN_FILE (a DVC out of train); `evaluate` and `export` resume the
 * run named there. When DVC restores train from its run cache, the file comes back with the
 * model, so evaluation still lands on the run that trained that model. If the file names a run
 * the current store does not have (another machine, another URI), a new run is started.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic } from '../util/atomic';
import { FileStore } from './file-store';
import { httpOptionsFromEnv, MlflowHttp, resolveServer } from './http';
import { createRun, getOrCreateExperiment, openRun } from './rest-session';
import { currentUser, standardTags, tfjsBackend } from './tags';
import type { EndStatus, ParamValue, RunTracker } from './types';
import { env } from '../config/env';

export type { EndStatus, ParamValue, RegisterResult, RunTracker } from './types';
export { RUN_STATUS } from './types';

/** Where train records the run that evaluate and export continue. */
export const PIPELINE_RUN_FILE = 'artifacts/mlflow_run.json';
export const DEFAULT_EXPERIMENT = 'respidetect';

export type TrackingTarget = { kind: 'file'; root: string } | { kind: 'rest'; uri: string };

export function trackingTarget(uri: string | undefined = env.mlflowTrackingUri()): TrackingTarget {
  const u = (uri ?? '').trim();
  if (u === '') return { kind: 'file', root: resolve('mlruns') };
  if (/^https?:\/\//i.test(u)) return { kind: 'rest', uri: u };
  if (/^file:\/\//i.test(u)) return { kind: 'file', root: fileURLToPath(u) };
  if (/^file:/i.test(u)) return { kind: 'file', root: resolve(u.slice('file:'.length)) };
  if (/^databricks/i.test(u) || /^[a-z][a-z0-9+.-]+:/i.test(u)) {
    const scheme = u.split(':')[0]!;
    throw new Error(
      `MLFLOW_TRACKING_URI scheme "${scheme}" is not supported here: use a local path / file: URI (an MLflow FileStore) or an http(s):// MLflow tracking server`,
    );
  }
  return { kind: 'file', root: resolve(u) };
}

export interface StartRunOptions {
  /** Default: MLFLOW_EXPERIMENT_NAME, else "respidetect". */
  experimentName?: string;
  runName?: string;
  tags?: Record<string, string>;
  /** The pipeline stage logging (tagged dvc.stage when DVC_STAGE is not set). */
  stage?: string;
  /** Dataset version id from ingest; tagged dataset.version. */
  datasetVersion?: string;
  /** Resume the run recorded here if this store has it; record the run here otherwise. */
  resumeFile?: string;
  /** With resumeFile: always start a new run and overwrite the file (the train stage). */
  fresh?: boolean;
}

interface RunFile {
  tracking: string;
  experiment_id: string;
  run_id: string;
}

/** The store, described without credentials, so a run file never holds a secret. */
function describe(target: TrackingTarget): string {
  if (target.kind === 'file') return `file:${target.root}`;
  const { base } = resolveServer(target.uri, {});
  return base.href;
}

function readRunFile(path: string): RunFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunFile>;
    if (typeof doc.run_id === 'string' && typeof doc.experiment_id === 'string' && typeof doc.tracking === 'string') return doc as RunFile;
  } catch {
    // unreadable: a new run replaces it
  }
  process.stderr.write(`mlflow: ${path} is not a run file, starting a new run\n`);
  return undefined;
}

/**
 * The run recorded in `resumeFile`, when it belongs to the current store; undefined otherwise.
 * Lets a command log into an existing run only (validate: the model's own run), never start one.
 */
export function recordedRun(resumeFile: string = PIPELINE_RUN_FILE): { runId: string; experimentId: string } | undefined {
  const r = readRunFile(resumeFile);
  return r && r.tracking === describe(trackingTarget()) ? { runId: r.run_id, experimentId: r.experiment_id } : undefined;
}

const defaultRunName = () => `respidetect-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;

export async function startRun(opts: StartRunOptions = {}): Promise<RunTracker> {
  const target = trackingTarget();
  const experimentName = opts.experimentName ?? (env.mlflowExperimentName() ?? DEFAULT_EXPERIMENT);
  const runName = opts.runName ?? defaultRunName();
  const tags = { ...standardTags({ runName, datasetVersion: opts.datasetVersion, stage: opts.stage }), ...opts.tags };
  const where = describe(target);
  const previous = opts.resumeFile && !opts.fresh ? readRunFile(opts.resumeFile) : undefined;
  const resumable = previous && previous.tracking === where ? previous : undefined;

  let run: RunTracker | undefined;
  if (target.kind === 'file') {
    const store = new FileStore(target.root);
    if (resumable) run = store.openRun(resumable.experiment_id, resumable.run_id);
    if (run) {
      for (const [k, v] of Object.entries(tags)) if (k !== 'mlflow.runName') await run.setTag(k, v);
    } else {
      run = store.createRun(store.getOrCreateExperiment(experimentName), runName, currentUser(), tags);
    }
  } else {
    const { base, creds } = resolveServer(target.uri);
    const http = new MlflowHttp(base, creds, httpOptionsFromEnv());
    if (resumable) run = await openRun(http, resumable.run_id);
    if (run) {
      for (const [k, v] of Object.entries(tags)) if (k !== 'mlflow.runName') await run.setTag(k, v);
    } else {
      run = await createRun(http, await getOrCreateExperiment(http, experimentName), runName, currentUser(), tags);
    }
  }
  if (opts.resumeFile && (!resumable || resumable.run_id !== run.runId)) {
    writeJsonAtomic(opts.resumeFile, { tracking: where, experiment_id: run.experimentId, run_id: run.runId } satisfies RunFile);
  }
  return withBackendTag(run);
}

/** tfjs usually starts after the run does, so the backend tag is (re)checked when the run ends. */
function withBackendTag(run: RunTracker): RunTracker {
  const end = run.end.bind(run);
  run.end = async (status: EndStatus) => {
    const backend = tfjsBackend();
    if (backend) await run.setTag('tfjs.backend', backend);
    return end(status);
  };
  return run;
}

/** Runs `fn` inside a run: FINISHED when it resolves, FAILED (then rethrown) when it throws. */
export async function withRun<T>(opts: StartRunOptions, fn: (run: RunTracker) => Promise<T>): Promise<T> {
  const run = await startRun(opts);
  let result: T;
  try {
    result = await fn(run);
  } catch (err) {
    await run.end('FAILED').catch(() => undefined);
    throw err;
  }
  await run.end('FINISHED');
  return result;
}

/** Flattens params into MLflow's "section.key" names; nested values (split ratios) become their own keys. */
export function flattenParams(obj: object, prefix = ''): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as object, key));
    else if (Array.isArray(v)) out[key] = v.join(',');
    else out[key] = v as ParamValue;
  }
  return out;
}
