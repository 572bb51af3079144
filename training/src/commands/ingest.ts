/**
 * `respidetect-train ingest`: fetch, validate, de-duplicate and split the dataset (DVC stage `ingest`).
 * Writes `<data.prepared_dir>/manifest.json`, the prepared pixel cache and reports/data.json.
 */
import { DATA_REPORT, describeAudit, runShortcutAudit } from '../audit/shortcut-audit';
import { parseCommandArgs } from '../cli/args';
import { loadParams, preprocessSpec } from '../config/params';
import { ingest } from '../data/ingest';
import { writeJsonAtomic } from '../util/atomic';

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    report: { type: 'string' },
    'cache-dir': { type: 'string' },
  });
  const params = loadParams(args.params, args.overrides);
  const reportPath = (args.flags.report as string | undefined) ?? DATA_REPORT;
  const { report, manifest } = await ingest(params, {
    reportPath,
    cacheDir: (args.flags['cache-dir'] as string | undefined) ?? '.cache/datasets',
  });
  // The metadata-only baseline, on the splits just made: evaluate and the model card read it from here.
  const shortcutAudit = await runShortcutAudit(manifest, params.data.prepared_dir, preprocessSpec(params), params.data.seed);
  writeJsonAtomic(reportPath, { ...report, shortcutAudit });
  const lines = [
    `dataset ${report.datasetVersion}: ${report.files.kept} images kept of ${report.files.scanned} files (${report.files.rejected} rejected, ${report.duplicates.exactRedundantCopies} exact copies, ${report.labelConflicts.length} label conflicts left out)`,
    ...(['train', 'val', 'test'] as const).map((s) => `  ${s.padEnd(5)} ${Object.entries(report.counts[s]).map(([c, n]) => `${c}=${n}`).join(' ')}`),
    `  decoded ${report.decode.decoded}, from cache ${report.decode.cached}, ${report.timingsMs.total} ms`,
    `  ${describeAudit(shortcutAudit)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
