/**
 * The split manifest: one row per kept distinct image. Every later stage reads the dataset only
 * through this file (and the prepared pixel cache), so its shape is validated on load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { sha256Hex } from '../util/hash';

import type { Split } from '@respidetect/contract';

export type { Split };
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export interface ManifestRow {
  /** Relative to the dataset root, '/'-separated. */
  path: string;
  sha256: string;
  class: string;
  split: Split;
  /** Duplicate group id (exact + near copies share one); a group never spans two splits. */
  group: string;
  /** data.sources name the image came from; absent for a single data.source. */
  source?: string;
}

export interface Manifest {
  datasetVersion: string;
  source: string;
  datasetRoot: string;
  classes: string[];
  splitMode: 'ratios' | 'source';
  seed: number;
  rows: ManifestRow[];
  /** Several sources: name → its dataset root. datasetRoot is their common ancestor, which row paths are relative to. */
  sources?: Record<string, string>;
  /** Leave-one-source-out: the source that forms the whole test split. */
  heldOutSource?: string;
}

export const MANIFEST_FILE = 'manifest.json';

/** Hash of the rows in a canonical order, so the version ignores row order and formatting. */
export function datasetVersion(rows: readonly ManifestRow[], classes: readonly string[]): string {
  const canon = [...rows]
    .sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : a.path < b.path ? -1 : 1))
    // A single source's rows hash as they always did; a named source is part of the row.
    .map((r) => (r.source === undefined ? [r.path, r.sha256, r.class, r.split, r.group] : [r.path, r.sha256, r.class, r.split, r.group, r.source]));
  return sha256Hex(JSON.stringify({ classes, rows: canon })).slice(0, 16);
}

const schema = {
  type: 'object',
  required: ['datasetVersion', 'source', 'datasetRoot', 'classes', 'splitMode', 'seed', 'rows'],
  properties: {
    datasetVersion: { type: 'string', minLength: 1 },
    source: { type: 'string' },
    datasetRoot: { type: 'string' },
    classes: { type: 'array', minItems: 2, items: { type: 'string', minLength: 1 } },
    splitMode: { enum: ['ratios', 'source'] },
    seed: { type: 'number' },
    sources: { type: 'object', additionalProperties: { type: 'string' } },
    heldOutSource: { type: 'string' },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'sha256', 'class', 'split', 'group'],
        properties: {
          path: { type: 'string', minLength: 1 },
          sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          class: { type: 'string' },
          split: { enum: ['train', 'val', 'test'] },
          group: { type: 'string', minLength: 1 },
          source: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<Manifest>(schema);

/** Reads `<preparedDir>/manifest.json` and checks its shape and its promises (classes, no leaks, version). */
export function loadManifest(preparedDir: string): Manifest {
  const file = join(preparedDir, MANIFEST_FILE);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the manifest (${err instanceof Error ? err.message : String(err)}); run \`respidetect-train ingest\` first`, { cause: err });
  }
  if (!validate(doc)) {
    const errs = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new Error(`${file}: not a valid manifest: ${errs.join('; ')}`);
  }
  const m = doc;
  const groupSplit = new Map<string, Split>();
  for (const r of m.rows) {
    if (!m.classes.includes(r.class)) throw new Error(`${file}: row ${r.path} has class "${r.class}", not one of ${m.classes.join(', ')}`);
    const s = groupSplit.get(r.group);
    if (s && s !== r.split) throw new Error(`${file}: group ${r.group} spans ${s} and ${r.split}`);
    groupSplit.set(r.group, r.split);
  }
  const v = datasetVersion(m.rows, m.classes);
  if (v !== m.datasetVersion) throw new Error(`${file}: datasetVersion ${m.datasetVersion} does not match its rows (${v}); the file was edited`);
  return m;
}
