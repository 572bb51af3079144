#!/usr/bin/env -S npx tsx
/**
 * respidetect-train: one subcommand per pipeline stage (the DVC stages call these), plus
 * `pipeline` to run them all. Each command lives in commands/<name>.ts and exports `run(argv)`.
 */
import { env } from './config/env';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<void> }> }> = {
  ingest: { summary: 'fetch, validate, de-duplicate and split the dataset', load: () => import('./commands/ingest') },
  'prepare-base': { summary: 'build VGG16 and load its ImageNet weights', load: () => import('./commands/prepare-base') },
  train: { summary: 'train the classifier (or, with --data DIR, a quick model straight from a folder)', load: () => import('./commands/train') },
  evaluate: { summary: 'score the test split: metrics, calibration, threshold', load: () => import('./commands/evaluate') },
  export: { summary: 'write the TF.js graph model and metadata.json', load: () => import('./commands/export') },
  validate: { summary: 'external validation of an exported model on a labelled folder (--data DIR) or params validate.sets', load: () => import('./commands/validate') },
  pipeline: { summary: 'ingest → prepare-base → train → evaluate → export', load: () => import('./commands/pipeline') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: respidetect-train <command> [--params params.yaml] [-S key=value ...] [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  const mod = await command.load();
  await mod.run(rest);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (env.debug() && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
