/**
 * An independent reader of MLflow's FileStore, written from MLflow's file-store rules (not from
 * our writer), used to check that what the tracker writes is what `mlflow ui` would read.
 * It throws on anything MLflow would reject or misread.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

export const EXPERIMENT_META_KEYS = ['artifact_location', 'creation_time', 'experiment_id', 'last_update_time', 'lifecycle_stage', 'name'];
export const RUN_META_KEYS = [
  'artifact_uri', 'end_time', 'entry_point_name', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name',
  'run_uuid', 'source_name', 'source_type', 'source_version', 'start_time', 'status', 'tags', 'user_id',
];
/** mlflow.entities.RunStatus */
export const STATUS_NAMES: Record<number, string> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

export interface MetricPoint { timestamp: number; value: number; step: number }
export interface ReadRun {
  meta: Record<string, unknown>;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, MetricPoint[]>;
  artifacts: string[];
  dir: string;
}
export interface ReadExperiment { id: string; meta: Record<string, unknown>; runs: Map<string, ReadRun> }

const fail = (where: string, msg: string): never => {
  throw new Error(`${where}: ${msg}`);
};

function yamlMap(path: string): Record<string, unknown> {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(path, 'not a mapping');
  return doc as Record<string, unknown>;
}

/** Python float() accepts these spellings; MLflow's reader uses float(value). */
function pyFloat(s: string, where: string): number {
  const low = s.toLowerCase();
  if (low === 'nan') return NaN;
  if (low === 'inf' || low === 'infinity') return Infinity;
  if (low === '-inf' || low === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) fail(where, `metric value ${JSON.stringify(s)} is not a float`);
  return Number(s);
}

/** Files under dir, keyed by their "/"-joined relative path (MLflow keys with "/" are sub-folders). */
function keyedFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), p);
    }
  };
  walk(dir);
  return out;
}

export function readRun(runDir: string, experimentId: string): ReadRun {
  const where = runDir;
  const meta = yamlMap(join(runDir, 'meta.yaml'));
  const keys = Object.keys(meta).sort();
  if (keys.join() !== [...RUN_META_KEYS].sort().join()) fail(where, `meta.yaml keys ${keys.join()} differ from MLflow's RunInfo fields`);
  const id = runDir.split(sep).pop()!;
  if (meta.run_id !== id || meta.run_uuid !== id) fail(where, 'run_id/run_uuid must equal the folder name');
  if (!/^[0-9a-f]{32}$/.test(id)) fail(where, 'run id is not a uuid4 hex');
  if (typeof meta.experiment_id !== 'string' || meta.experiment_id !== experimentId) fail(where, `experiment_id ${JSON.stringify(meta.experiment_id)} must be the string ${experimentId}`);
  if (typeof meta.status !== 'number' || !STATUS_NAMES[meta.status]) fail(where, `status ${JSON.stringify(meta.status)} is not a RunStatus integer`);
  if (!['active', 'deleted'].includes(meta.lifecycle_stage as string)) fail(where, 'lifecycle_stage must be active or deleted');
  if (!Number.isInteger(meta.start_time)) fail(where, 'start_time must be integer milliseconds');
  if (meta.end_time !== null && (!Number.isInteger(meta.end_time) || (meta.end_time as number) < (meta.start_time as number))) fail(where, 'end_time must be null or ms ≥ start_time');
  if (!Array.isArray(meta.tags)) fail(where, 'tags must be a list (legacy field, kept empty)');
  if (meta.source_type !== 4 && ![1, 2, 3, 1000].includes(meta.source_type as number)) fail(where, 'source_type must be a SourceType integer');
  if (meta.artifact_uri !== pathToFileURL(join(runDir, 'artifacts')).href) fail(where, `artifact_uri ${String(meta.artifact_uri)} must be the run's artifacts folder as a file URI`);

  const metrics: Record<string, MetricPoint[]> = {};
  for (const [key, file] of keyedFiles(join(runDir, 'metrics'))) {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    metrics[key] = lines.map((line, i) => {
      const parts = line.split(' ');
      const at = `${file}:${i + 1}`;
      if (parts.length !== 3) fail(at, `metric line ${JSON.stringify(line)} must be "<timestamp> <value> <step>"`);
      const [ts, value, step] = parts as [string, string, string];
      if (!/^\d+$/.test(ts)) fail(at, 'timestamp must be integer ms');
      if (!/^-?\d+$/.test(step)) fail(at, 'step must be an integer');
      return { timestamp: Number(ts), value: pyFloat(value, at), step: Number(step) };
    });
  }
  const text = (dir: string) => Object.fromEntries([...keyedFiles(dir)].map(([k, f]) => [k, readFileSync(f, 'utf8')]));
  return {
    meta,
    status: STATUS_NAMES[meta.status as number]!,
    params: text(join(runDir, 'params')),
    tags: text(join(runDir, 'tags')),
    metrics,
    artifacts: [...keyedFiles(join(runDir, 'artifacts')).keys()].sort(),
    dir: runDir,
  };
}

export function readStore(root: string): Map<string, ReadExperiment> {
  const exps = new Map<string, ReadExperiment>();
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.trash' || e.name === 'models') continue;
    const dir = join(root, e.name);
    const meta = yamlMap(join(dir, 'meta.yaml'));
    const keys = Object.keys(meta).sort();
    if (keys.join() !== EXPERIMENT_META_KEYS.join()) fail(dir, `meta.yaml keys ${keys.join()} differ from MLflow's Experiment fields`);
    if (meta.experiment_id !== e.name) fail(dir, 'experiment_id must be the folder name, as a string');
    if (!/^\d+$/.test(e.name)) fail(dir, 'experiment ids are decimal integers');
    if (meta.artifact_location !== pathToFileURL(dir).href) fail(dir, 'artifact_location must be the experiment folder as a file URI');
    const runs = new Map<string, ReadRun>();
    for (const r of readdirSync(dir, { withFileTypes: true })) {
      if (r.isDirectory() && r.name !== 'tags' && statSync(join(dir, r.name, 'meta.yaml'), { throwIfNoEntry: false })) runs.set(r.name, readRun(join(dir, r.name), e.name));
    }
    exps.set(e.name, { id: e.name, meta, runs });
  }
  const dflt = exps.get('0');
  if (!dflt || dflt.meta.name !== 'Default') fail(root, 'mlruns/0/meta.yaml must hold the Default experiment');
  const names = [...exps.values()].filter((x) => x.meta.lifecycle_stage === 'active').map((x) => x.meta.name);
  if (new Set(names).size !== names.length) fail(root, 'two active experiments share a name');
  return exps;
}
