/**
 * Writes training/src/config/default-params.ts from params.yaml, so the defaults training falls back
 * on for a key a params file leaves out are params.yaml's values, typed by hand nowhere else.
 * Run after changing a value in params.yaml: node --import tsx scripts/default-params.ts
 * (npm run params:defaults); training/test/config/default-params.test.ts fails while the file is stale.
 *
 * Generated rather than read at run time: the DVC stage test runs each stage in a workspace with a
 * small params.yaml of its own, and the defaults must not come from whatever params.yaml is at hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PARAMS_YAML = join(REPO, 'params.yaml');
export const DEFAULT_PARAMS_TS = join(REPO, 'training', 'src', 'config', 'default-params.ts');

/** params.yaml's text → the TypeScript module; the Params annotation makes tsc check every key and type. */
export function renderDefaultParams(paramsYaml: string): string {
  const values: unknown = parse(paramsYaml);
  return [
    '// Generated from params.yaml by scripts/default-params.ts (npm run params:defaults). Do not edit: change',
    '// params.yaml and rerun; training/test/config/default-params.test.ts fails while this file is stale.',
    "import type { Params } from './params';",
    '',
    `export const DEFAULT_PARAMS: Params = ${JSON.stringify(values, null, 2)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(DEFAULT_PARAMS_TS, renderDefaultParams(readFileSync(PARAMS_YAML, 'utf8')));
  console.log(`wrote ${DEFAULT_PARAMS_TS}`);
}
