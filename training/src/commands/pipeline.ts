/**
 * `respidetect-train pipeline` (`npm run pipeline`): ingest → prepare-base → train → evaluate →
 * export in one process, each stage through its own command's run(), so the pipeline and the DVC
 * stages cannot drift apart. Only the shared options (--params, -S) are passed on.
 */
import { parseCommandArgs } from '../cli/args';

const STAGES = [
  ['ingest', () => import('./ingest')],
  ['prepare-base', () => import('./prepare-base')],
  ['train', () => import('./train')],
  ['evaluate', () => import('./evaluate')],
  ['export', () => import('./export')],
] as const;

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {});
  const shared = [...(args.params !== 'params.yaml' ? ['--params', args.params] : []), ...args.overrides.flatMap((o) => ['-S', o])];
  const timings: Record<string, number> = {};
  for (const [name, load] of STAGES) {
    process.stderr.write(`\n=== ${name} ===\n`);
    const t0 = Date.now();
    try {
      await (await load()).run(shared);
    } catch (err) {
      throw new Error(`pipeline stage "${name}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    timings[name] = (Date.now() - t0) / 1000;
  }
  process.stderr.write(`\npipeline done: ${Object.entries(timings).map(([n, s]) => `${n} ${s.toFixed(1)}s`).join(', ')}\n`);
}
