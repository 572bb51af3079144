/**
 * The label map of an external set: which class folder is which model class. Pure, so the CLI
 * (which also reads YAML/JSON files) and the browser check parse and check it the same way.
 * Several folders may map to one class; folders left out are reported apart, never scored.
 */
import { canonicalClassId } from '../classes';

/** "folder=class,folder=class" → mapping; whitespace around names is ignored. */
export function parseLabelMapText(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1 || eq === pair.length - 1) throw new Error(`label map "${spec}": "${pair}" must look like folder=class`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** Without a map: a folder whose cleaned name (canonicalClassId) is a model class maps to it. */
export function defaultLabelMap(folders: readonly string[], classNames: readonly string[]): Record<string, string> {
  return Object.fromEntries(folders.filter((f) => classNames.includes(canonicalClassId(f))).map((f) => [f, canonicalClassId(f)]));
}

/** Throws, naming the entry, for a folder that is not in the data (a typo would drop a class) or a class the model lacks. */
export function checkLabelMap(map: Readonly<Record<string, string>>, folders: readonly string[], classNames: readonly string[]): void {
  for (const [folder, cls] of Object.entries(map)) {
    if (!folders.includes(folder)) throw new Error(`label map: folder "${folder}" is not in the data (folders: ${folders.join(', ') || 'none'})`);
    if (!classNames.includes(cls)) throw new Error(`label map: folder "${folder}" maps to "${cls}", which is not a class of this model (${classNames.join(', ')})`);
  }
}
