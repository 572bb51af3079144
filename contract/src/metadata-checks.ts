/**
 * Field checks for metadata.json: small combinators (a number, an integer, one of these strings,
 * an object of this shape…) that throw MetadataError naming the field's path, so a hand-edited or
 * truncated file fails loudly and says where.
 */
export class MetadataError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`metadata.json: field "${field}" ${problem}`);
    this.name = 'MetadataError';
  }
}

export type Check = (value: unknown, field: string) => void;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

export const num: Check = (v, f) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MetadataError(f, `must be a finite number, got ${describe(v)}`);
};
export const int: Check = (v, f) => {
  num(v, f);
  if (!Number.isInteger(v)) throw new MetadataError(f, `must be an integer, got ${String(v)}`);
};
export const str: Check = (v, f) => {
  if (typeof v !== 'string' || v.length === 0) throw new MetadataError(f, `must be a non-empty string, got ${describe(v)}`);
};
export const bool: Check = (v, f) => {
  if (typeof v !== 'boolean') throw new MetadataError(f, `must be true or false, got ${describe(v)}`);
};
export const sha256: Check = (v, f) => {
  str(v, f);
  if (!/^[0-9a-f]{64}$/.test(v as string)) throw new MetadataError(f, 'must be a sha256 hex digest (64 lowercase hex characters)');
};
export const oneOf =
  (...allowed: string[]): Check =>
  (v, f) => {
    if (typeof v !== 'string' || !allowed.includes(v))
      throw new MetadataError(f, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}`);
  };
export const arrayOf =
  (item: Check, minLength = 0): Check =>
  (v, f) => {
    if (!Array.isArray(v)) throw new MetadataError(f, `must be an array, got ${describe(v)}`);
    if (v.length < minLength) throw new MetadataError(f, `must have at least ${minLength} entries`);
    v.forEach((x, i) => item(x, `${f}[${i}]`));
  };
export const recordOf =
  (item: Check): Check =>
  (v, f) => {
    if (!isObject(v)) throw new MetadataError(f, `must be an object, got ${describe(v)}`);
    for (const [k, x] of Object.entries(v)) item(x, `${f}.${k}`);
  };
export const optional =
  (c: Check): Check =>
  (v, f) => {
    if (v !== undefined) c(v, f);
  };
export const shape =
  (fields: Record<string, Check>): Check =>
  (v, f) => {
    if (!isObject(v)) throw new MetadataError(f, `must be an object, got ${v === undefined ? 'nothing (missing)' : describe(v)}`);
    for (const [k, c] of Object.entries(fields)) {
      c(v[k], f ? `${f}.${k}` : k);
    }
  };
// A missing key reaches its check as `undefined`; required() turns that into "is missing".
export const required =
  (c: Check): Check =>
  (v, f) => {
    if (v === undefined) throw new MetadataError(f, 'is missing');
    c(v, f);
  };
