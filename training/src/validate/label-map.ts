/**
 * The label map of an external set: which class folder is which model class. Given as a YAML/JSON
 * file, an inline "folder=class,folder=class", or a mapping (params.yaml); absent, every folder
 * whose cleaned name (canonicalClassId) is a model class maps to it. Folders it leaves out are
 * reported apart, never scored. A key that names no folder is an error: a typo would otherwise
 * silently drop a class.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { canonicalClassId } from '@respidetect/contract';

export type LabelMapSpec = string | Readonly<Record<string, string>> | null | undefined;

function fromText(spec: string): Record<string, string> {
  if (existsSync(spec)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(spec, 'utf8'));
    } catch (err) {
      throw new Error(`${spec}: not a YAML/JSON label map (${(err as Error).message.split('\n')[0]})`, { cause: err });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${spec}: a label map must be a mapping "folder: class"`);
    return Object.fromEntries(
      Object.entries(doc).map(([k, v]) => {
        if (typeof v !== 'string') throw new Error(`${spec}: folder "${k}" must map to a class name, got ${JSON.stringify(v)}`);
        return [k, v];
      }),
    );
  }
  const out: Record<string, string> = {};
  for (const pair of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1 || eq === pair.length - 1) throw new Error(`label map "${spec}": "${pair}" must look like folder=class (or pass a YAML/JSON file that exists)`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** The folder → class map for these folders and this model's classes. */
export function resolveLabelMap(spec: LabelMapSpec, folders: readonly string[], classNames: readonly string[]): Record<string, string> {
  if (spec === null || spec === undefined || spec === '') {
    return Object.fromEntries(folders.filter((f) => classNames.includes(canonicalClassId(f))).map((f) => [f, canonicalClassId(f)]));
  }
  const map = typeof spec === 'string' ? fromText(spec) : { ...spec };
  for (const [folder, cls] of Object.entries(map)) {
    if (!folders.includes(folder)) throw new Error(`label map: folder "${folder}" is not in the data (folders: ${folders.join(', ') || 'none'})`);
    if (!classNames.includes(cls)) throw new Error(`label map: folder "${folder}" maps to "${cls}", which is not a class of this model (${classNames.join(', ')})`);
  }
  return map;
}
