import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Prints the result as JSON and writes bench/results/<name>.json, with the machine it ran on. */
export function writeResult(name: string, result: Record<string, unknown>): void {
  const doc = {
    bench: name,
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version },
    ...result,
  };
  const file = join(REPO, 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}
