/**
 * params.yaml's schema: every key with its type and range, checked by ajv (the JSON Schema validator
 * training already uses for the manifest) after the defaults are merged in. A value outside its range
 * (NaN or ∞ epochs, batch_size 1.5, workers 100000, image_size 1e6, bootstrap 1e9, a split ratio
 * NaN) is refused with the key named, before any stage spends time on it. The ranges are the values a
 * run can use on the machines we train on; each says why beside it.
 *
 * Rules that join several keys (split ratios summing to 1, a label map's classes in data.classes,
 * hold_out_source naming a source, unique set names) stay in params.ts beside the schema.
 */
import { Ajv, type ErrorObject } from 'ajv';

const int = (minimum: number, maximum: number, why: string) => ({ type: 'integer', minimum, maximum, description: why });
const num = (range: { minimum?: number; exclusiveMinimum?: number; maximum?: number; exclusiveMaximum?: number }, why: string) => ({ type: 'number', ...range, description: why });
const str = (why: string) => ({ type: 'string', minLength: 1, description: why });
const nullable = (schema: Record<string, unknown> & { description?: string }) => ({ anyOf: [{ type: 'null' }, schema], description: `null or ${schema.description ?? 'a value'}` });
const oneOf = (values: readonly string[]) => ({ enum: [...values], description: `one of ${values.join(', ')}` });
const closed = (properties: Record<string, object>, required: string[] = Object.keys(properties)) => ({ type: 'object', properties, required, additionalProperties: false });

/** A folder the stage writes into (and may delete stale files from): never a filesystem root. */
const writableDir = { type: 'string', minLength: 1, not: { pattern: '^(?:[A-Za-z]:)?[\\\\/]*$' }, description: 'a folder path that is not a filesystem root' };
const sha256 = { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: '64 hex digits' };
const classId = { type: 'string', pattern: '^[a-z0-9_]+$', description: 'a class id (lower-case letters, digits, _)' };
const labelMap = { type: 'object', additionalProperties: { type: 'string', minLength: 1 }, description: 'a mapping folder: class' };
const ratio = num({ minimum: 0, maximum: 1 }, 'a fraction in [0, 1]');

export const PARAMS_SCHEMA = closed({
  data: closed({
    source: str('a folder, https://…zip, gdrive:<id>, kaggle:<owner>/<slug> or dicomweb:<URL>'),
    sha256: nullable(sha256),
    labels: nullable(str('a labels CSV path (dicomweb: sources)')),
    dicomweb_cache: nullable(writableDir),
    classes: { type: 'array', items: classId, minItems: 2, maxItems: 64, uniqueItems: true, description: 'two to 64 distinct class ids' },
    split_mode: oneOf(['ratios', 'source']),
    split_ratios: closed({ train: num({ exclusiveMinimum: 0, maximum: 1 }, 'a fraction in (0, 1]: something must be trained on'), val: ratio, test: ratio }),
    seed: int(0, 2 ** 32 - 1, 'an unsigned 32-bit integer (the seeded generator takes seed >>> 0)'),
    near_duplicate_bits: int(0, 64, 'a Hamming distance between 64-bit dHashes'),
    prepared_dir: writableDir,
    sources: nullable({
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: closed(
        { name: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', description: 'a name of letters, digits, ".", "_" or "-"' }, source: str('a folder, https://…zip, gdrive:<id>, kaggle:<owner>/<slug> or dicomweb:<URL>'), sha256: nullable(sha256), label_map: nullable(labelMap), labels: nullable(str('a labels CSV path (dicomweb: sources)')), dicomweb_cache: nullable(writableDir) },
        ['name', 'source'],
      ),
      description: 'a non-empty list of {name, source, sha256, label_map, labels, dicomweb_cache}',
    }),
    hold_out_source: nullable(str('the name of one of data.sources')),
  }),
  preprocess: closed({ body_crop: { type: 'boolean' }, intensity: { type: 'string' } }),
  model: closed({
    weights: str('imagenet, none or a path to the Keras .h5'),
    // VGG16 halves the input five times; past 512 px block1 alone needs 64 MiB of activations per image.
    image_size: { type: 'integer', minimum: 32, maximum: 512, multipleOf: 32, description: 'a multiple of 32 (VGG16 halves it five times) from 32 to 512' },
    head: oneOf(['flatten', 'gap']),
    dropout: num({ minimum: 0, exclusiveMaximum: 1 }, 'a rate in [0, 1)'),
    fine_tune_from: { anyOf: [{ type: 'null' }, { const: 'block5' }], description: 'null (frozen base) or "block5"' },
  }),
  train: closed({
    epochs: int(1, 1000, 'an integer from 1 to 1000'),
    batch_size: int(1, 1024, 'an integer from 1 to 1024'),
    learning_rate: num({ exclusiveMinimum: 0, maximum: 10 }, 'a positive rate, at most 10'),
    optimizer: oneOf(['sgd', 'adam']),
    class_weights: { type: 'boolean' },
    augment: { type: 'boolean' },
    augment_views: int(1, 64, 'an integer from 1 to 64 (each view is one more feature pass over the train split)'),
    early_stopping_patience: int(0, 1000, 'an integer from 0 (off) to 1000'),
    // Each worker holds its own VGG16 (about half a GiB).
    workers: int(1, 64, 'an integer from 1 to 64 (each worker holds its own VGG16)'),
  }),
  evaluate: closed({
    min_sensitivity: num({ exclusiveMinimum: 0, maximum: 1 }, 'a fraction in (0, 1]'),
    bootstrap: int(1, 100_000, 'an integer from 1 to 100000 resamples'),
  }),
  export: closed({
    dtype: oneOf(['float32', 'float16', 'uint8']),
    shard_size_mb: num({ exclusiveMinimum: 0, maximum: 1024 }, 'a positive size in MiB, at most 1024'),
    out_dir: writableDir,
  }),
  validate: closed({
    sets: {
      type: 'array',
      maxItems: 256,
      items: closed(
        {
          name: { type: 'string', pattern: '^[\\w.-]+$', description: 'a file-name-safe string (letters, digits, _ . -)' },
          path: str('a folder path'),
          label_map: { anyOf: [{ type: 'null' }, { type: 'string' }, labelMap], description: 'a mapping folder: class, or "folder=class,..."' },
        },
        ['name', 'path'],
      ),
      description: 'a list of {name, path, label_map}',
    },
  }),
});

// strictNumbers (ajv's default) refuses NaN and ±Infinity as numbers, which YAML's .nan and .inf are.
const ajv = new Ajv({ allErrors: false, strict: true, strictNumbers: true });
const validate = ajv.compile(PARAMS_SCHEMA);

/** "/train/epochs" → "train.epochs"; "/data/sources/0/name" → "data.sources[0].name". */
function keyOf(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1);
  if (e.keyword === 'additionalProperties') parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
  if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  return parts.reduce((k, p) => (/^\d+$/.test(p) ? `${k}[${p}]` : k ? `${k}.${p}` : p), '');
}

/** The schema node an error is about, for its description. */
function schemaAt(path: string): { description?: string } | undefined {
  let node: unknown = PARAMS_SCHEMA;
  for (const p of path.split('/').slice(1)) {
    const n = node as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
    if (/^\d+$/.test(p)) node = n.items ?? (n.anyOf?.find((s) => (s as { items?: unknown }).items) as { items?: unknown } | undefined)?.items;
    else node = n.properties?.[p] ?? (n.anyOf?.find((s) => (s as { properties?: unknown }).properties) as { properties?: Record<string, unknown> } | undefined)?.properties?.[p];
    if (node === undefined) return undefined;
  }
  return node as { description?: string };
}

const shown = (v: unknown): string => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v));

function valueAt(doc: unknown, path: string): unknown {
  let v = doc;
  for (const p of path.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

/** Throws `params: "<key>" must be …, got <value>` for the first value outside the schema. */
export function checkParamsSchema(doc: unknown): void {
  if (validate(doc)) return;
  // The most specific error: inside a `null or …` key, the branch that says what the value should be.
  const depth = (x: ErrorObject) => x.instancePath.split('/').length + (x.keyword === 'required' || x.keyword === 'additionalProperties' ? 1 : 0);
  const e = validate.errors!.filter((x) => x.keyword !== 'anyOf').reduce((best, x) => (depth(x) >= depth(best) ? x : best));
  const key = keyOf(e);
  if (e.keyword === 'additionalProperties') throw new Error(`params: unknown key "${key}"`);
  if (e.keyword === 'required') throw new Error(`params: "${key}" is required`);
  const want = schemaAt(e.instancePath)?.description ?? e.message ?? 'is invalid';
  throw new Error(`params: "${key}" must be ${want}, got ${shown(valueAt(doc, e.instancePath))}`);
}
