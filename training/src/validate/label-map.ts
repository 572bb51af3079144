/**
 * The label map as the CLI takes it: a YAML/JSON file, an inline "folder=class,...", a mapping
 * (params.yaml) or nothing; parsed and checked by the contract's label-map functions, which the
 * browser check uses too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { checkLabelMap, defaultLabelMap, parseLabelMapText } from '@respidetect/contract';

export type LabelMapSpec = string | Readonly<Record<string, string>> | null | undefined;

function fromFile(path: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a YAML/JSON label map (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${path}: a label map must be a mapping "folder: class"`);
  return Object.fromEntries(
    Object.entries(doc).map(([k, v]) => {
      if (typeof v !== 'string') throw new Error(`${path}: folder "${k}" must map to a class name, got ${JSON.stringify(v)}`);
      return [k, v];
    }),
  );
}

/** The folder → class map for these folders and this model's classes. */
export function resolveLabelMap(spec: LabelMapSpec, folders: readonly string[], classNames: readonly string[]): Record<string, string> {
  if (spec === null || spec === undefined || spec === '') return defaultLabelMap(folders, classNames);
  const map = typeof spec !== 'string' ? { ...spec } : existsSync(spec) ? fromFile(spec) : parseLabelMapText(spec);
  checkLabelMap(map, folders, classNames);
  return map;
}
