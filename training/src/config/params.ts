/**
 * params.yaml → typed, validated parameters. Every stage reads its knobs through here, so a key
 * has one name and one default (params.yaml's own value, generated into default-params.ts).
 */
import { readFileSync, existsSync } from 'node:fs';
import { parse as parsePath, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { parsePreprocessSpec, type PreprocessSpec } from '@respidetect/contract';
import { DEFAULT_PARAMS } from './default-params';
import { checkParamsSchema } from './params-schema';

export interface DataSource {
  name: string;
  source: string;
  sha256?: string | null;
  /** Folder name → class id; absent: folders named like a class in data.classes map to it. */
  label_map?: Record<string, string> | null;
  /** dicomweb: sources only: the labels CSV, and the cache folder (null: .cache/dicomweb/<hash>). */
  labels?: string | null;
  dicomweb_cache?: string | null;
}

export interface Params {
  data: {
    source: string;
    sha256: string | null;
    /** A dicomweb: source's labels CSV (StudyInstanceUID,SeriesInstanceUID,class); null otherwise. */
    labels: string | null;
    /** A dicomweb: source's cache folder; null: .cache/dicomweb/<hash of URL and labels path>. */
    dicomweb_cache: string | null;
    classes: string[];
    split_mode: 'ratios' | 'source';
    split_ratios: { train: number; val: number; test: number };
    seed: number;
    near_duplicate_bits: number;
    prepared_dir: string;
    /**
     * Several sources in one run (null: the single `source`). Each has a name (recorded on every
     * manifest row), a source of any kind, and a map from its folder names to data.classes; folders
     * it does not map are left out and reported.
     */
    sources: DataSource[] | null;
    /** Leave-one-source-out: this source's images form the whole test split; the rest train and validate. */
    hold_out_source: string | null;
  };
  /** Source normalisation before the resize (contract/src/source-normalise.ts); recorded in metadata.json. */
  preprocess: {
    body_crop: boolean;
    intensity: PreprocessSpec['intensity'];
  };
  model: {
    weights: string;
    image_size: number;
    head: 'flatten' | 'gap';
    dropout: number;
    /** null: the whole base frozen; block5: fine-tune block5 (train/finetune.ts). */
    fine_tune_from: 'block5' | null;
  };
  train: {
    epochs: number;
    batch_size: number;
    learning_rate: number;
    optimizer: 'sgd' | 'adam';
    class_weights: boolean;
    augment: boolean;
    augment_views: number;
    early_stopping_patience: number;
    workers: number;
  };
  evaluate: { min_sensitivity: number; bootstrap: number };
  export: { dtype: 'float32' | 'float16' | 'uint8'; shard_size_mb: number; out_dir: string };
  /** External labelled sets for `validate` (the optional DVC stage); see training/src/validate. */
  validate: { sets: ValidateSet[] };
}

export interface ValidateSet {
  /** Report name: metrics/external/<name>.json. */
  name: string;
  /** A folder of class sub-folders. */
  path: string;
  /** folder → model class, as a mapping or "k=v,..."; absent: folders named like a class map to it. */
  label_map?: Record<string, string> | string | null;
}

/**
 * The defaults are params.yaml's values, generated into default-params.ts (scripts/default-params.ts),
 * so they are written once; a params file that leaves a key out gets params.yaml's value for it.
 */
export { DEFAULT_PARAMS };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merge `over` onto `base`, refusing keys and types the defaults do not have. */
function merge(base: Json, over: Json, path: string): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const key = path ? `${path}.${k}` : k;
    if (!(k in base)) throw new Error(`params: unknown key "${key}"`);
    const b = base[k];
    if (isObj(b)) {
      if (!isObj(v)) throw new Error(`params: "${key}" must be a mapping`);
      out[k] = merge(b, v, key);
    } else if (b !== null && v !== null && typeof b !== typeof v) {
      throw new Error(`params: "${key}" must be a ${typeof b}, got ${JSON.stringify(v)}`);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** True when writing into `dir` could clobber a filesystem root, the working folder or a folder above it. */
function holdsWorkingFolder(dir: string): boolean {
  const abs = resolve(dir);
  if (parsePath(abs).root === abs) return true;
  const up = relative(abs, process.cwd());
  return up === '' || (!up.startsWith('..') && !parsePath(up).root);
}

/**
 * Every key against its type and range (params-schema.ts, with ajv), then the rules that join keys.
 * Each message names the key.
 */
function check(p: Params): Params {
  const fail = (key: string, msg: string): never => {
    throw new Error(`params: "${key}" ${msg}`);
  };
  checkParamsSchema(p);
  checkSources(p, fail);
  const r = p.data.split_ratios;
  if (Math.abs(r.train + r.val + r.test - 1) > 1e-6) fail('data.split_ratios', `must sum to 1, got ${r.train} + ${r.val} + ${r.test}`);
  for (const key of ['data.prepared_dir', 'export.out_dir'] as const) {
    const dir = key === 'data.prepared_dir' ? p.data.prepared_dir : p.export.out_dir;
    // Stages write into these folders and delete stale files there.
    if (holdsWorkingFolder(dir)) fail(key, `must not be a filesystem root, the working folder or a folder above it (stages write there and delete stale files); got ${JSON.stringify(dir)}`);
  }
  try {
    preprocessSpec(p);
  } catch (err) {
    fail(`preprocess`, `is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const names = new Set<string>();
  p.validate.sets.forEach((set, i) => {
    if (names.has(set.name)) fail(`validate.sets[${i}].name`, `"${set.name}" is used twice`);
    names.add(set.name);
  });
  return p;
}

/** Sets "a.b.c" in a nested object; used for `-S a.b.c=value` style overrides. */
export function applyOverride(obj: Json, dotted: string, raw: string): void {
  const keys = dotted.split('.');
  let cur: Json = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  }
  cur[keys[keys.length - 1]!] = parse(raw) as unknown;
}

/** Reads params.yaml (if present) over the defaults, then `key=value` overrides. */
export function loadParams(file = 'params.yaml', overrides: string[] = []): Params {
  let doc: Json = {};
  if (existsSync(file)) {
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    if (parsed !== null && parsed !== undefined && !isObj(parsed)) throw new Error(`${file}: top level must be a mapping`);
    doc = (parsed as Json | null) ?? {};
  }
  for (const o of overrides) {
    const eq = o.indexOf('=');
    if (eq < 1) throw new Error(`params override "${o}" must look like key.path=value`);
    applyOverride(doc, o.slice(0, eq), o.slice(eq + 1));
  }
  return check(merge(DEFAULT_PARAMS as unknown as Json, doc, '') as unknown as Params);
}

/** params.yaml's `preprocess` (snake_case, like every key there) → the contract's spec, validated. */
export function preprocessSpec(p: Pick<Params, 'preprocess'>): PreprocessSpec {
  return parsePreprocessSpec({ bodyCrop: p.preprocess.body_crop, intensity: p.preprocess.intensity }, 'preprocess');
}

/** data.sources against data.classes and data.hold_out_source (each entry's shape is the schema's). */
function checkSources(p: Params, fail: (key: string, msg: string) => never): void {
  const list = p.data.sources;
  const names = new Set<string>();
  (list ?? []).forEach((s, i) => {
    const key = `data.sources[${i}]`;
    if (names.has(s.name)) fail(`${key}.name`, `"${s.name}" is used twice`);
    names.add(s.name);
    for (const [folder, cls] of Object.entries(s.label_map ?? {}))
      if (!p.data.classes.includes(cls)) fail(`${key}.label_map.${folder}`, `maps to "${cls}", which is not in data.classes (${p.data.classes.join(', ')})`);
  });
  // A dicomweb: source is selected by its labels CSV; labels anywhere else would be silently unused.
  const dicomweb = (key: string, s: { source: string; labels?: string | null; dicomweb_cache?: string | null }) => {
    const isDw = s.source.startsWith('dicomweb:');
    if (isDw && !s.labels) fail(`${key}.labels`, `is needed by the dicomweb: source (a CSV StudyInstanceUID,SeriesInstanceUID,class)`);
    if (!isDw && (s.labels || s.dicomweb_cache)) fail(`${key}.${s.labels ? 'labels' : 'dicomweb_cache'}`, `is only for a dicomweb: source, not "${s.source}"`);
  };
  if (!list) dicomweb('data', p.data);
  (list ?? []).forEach((s, i) => dicomweb(`data.sources[${i}]`, s));
  const held = p.data.hold_out_source;
  if (held !== null && !(list ?? []).some((s) => s.name === held))
    fail('data.hold_out_source', `"${held}" is not the name of one of data.sources (${(list ?? []).map((s) => s.name).join(', ') || 'none set'})`);
}
