/** Tiny argv parser: `--flag value`, `--flag=value`, `--bool`, repeated `-S key=value` overrides. */
import { parseArgs } from 'node:util';

export interface CommonArgs {
  params: string;
  overrides: string[];
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(argv: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string }>): CommonArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      params: { type: 'string' },
      set: { type: 'string', short: 'S', multiple: true },
      ...options,
    },
  });
  const { params, set, ...flags } = values as Record<string, unknown>;
  return {
    params: (params as string | undefined) ?? 'params.yaml',
    overrides: (set as string[] | undefined) ?? [],
    flags: flags as CommonArgs['flags'],
    positionals,
  };
}
