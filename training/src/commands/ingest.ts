/**
 * `respidetect-train ingest`: fetch, validate, de-duplicate and split the dataset (DVC stage `ingest`).
 * Writes `<data.prepared_dir>/manifest.json`, the prepared pixel cache and reports/data.json.
 */
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { ingest } from '../data/ingest';

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    report: { type: 'string' },
    'cache-dir': { type: 'string' },
  });
  const params = loadParams(args.params, args.overrides);
  const { report } = await ingest(params, {
    reportPath: (args.flags.report as string | undefined) ?? 'reports/data.json',
    cacheDir: (args.flags['cache-dir'] as string | undefined) ?? '.cache/datasets',
  });
  const lines = [
    `dataset ${report.datasetVersion}: ${report.files.kept} images kept of ${report.files.scanned} files (${report.files.rejected} rejected, ${report.duplicates.exactRedundantCopies} exact copies, ${report.labelConflicts.length} label conflicts left out)`,
    ...(['train', 'val', 'test'] as const).map((s) => `  ${s.padEnd(5)} ${Object.entries(report.counts[s]).map(([c, n]) => `${c}=${n}`).join(' ')}`),
    `  decoded ${report.decode.decoded}, from cache ${report.decode.cached}, ${report.timingsMs.total} ms`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
