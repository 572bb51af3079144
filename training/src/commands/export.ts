/**
 * `respidetect-train export`: the DVC `export` stage (export/stage.ts), tracked in the pipeline's
 * MLflow run, with a one-screen summary.
 *   respidetect-train export [--params params.yaml] [-S key=value …] [--out DIR] [--base-dir artifacts/base]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { initBackend } from '../backend';
import { DATA_REPORT } from '../audit/shortcut-audit';
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { EXPORT_REPORT, runExportStage } from '../export/stage';
import { DEFAULT_BASE_DIR } from '../model/base-artifact';
import { PIPELINE_RUN_FILE, withRun } from '../tracking';

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, { out: { type: 'string' }, 'base-dir': { type: 'string' } });
  const params = loadParams(args.params, args.overrides);
  const outDir = resolve(String(args.flags.out ?? params.export.out_dir));
  const baseDir = String(args.flags['base-dir'] ?? DEFAULT_BASE_DIR);
  const startedAt = Date.now();
  await initBackend();
  const { head, written, report } = await runExportStage(params, { outDir, baseDir, startedAt });
  const check = report.quantization;

  await withRun({ stage: 'export', resumeFile: PIPELINE_RUN_FILE, datasetVersion: head.datasetVersion }, async (r) => {
    await r.logMetrics({
      export_weight_mib: written.weightBytes / 2 ** 20,
      export_top1_agreement: check.agreement,
      export_auc_drop: check.aucDrop,
      ood_val_pass_rate: report.ood.validationPassRate,
    });
    await r.setTag('model.id', written.metadata.modelId);
    await r.logArtifact(outDir, 'model');
    await r.logArtifact(EXPORT_REPORT, 'export');
    if (existsSync(DATA_REPORT)) await r.logArtifact(DATA_REPORT, 'data');
    const reg = await r.registerModel('respidetect', 'model');
    if (!reg.ok) process.stderr.write(`mlflow: model not registered (${reg.error ?? 'unavailable'}); the run still holds it\n`);
  });

  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  const sizes = report.weightBytesByDtype;
  process.stdout.write(
    [
      `export: ${outDir} model ${written.metadata.modelId} (${params.export.dtype}, ${mib(written.weightBytes)} MiB in ${report.shards} shards)`,
      `  sizes: float32 ${mib(sizes.float32)} MiB, float16 ${mib(sizes.float16)} MiB, uint8 ${mib(sizes.uint8)} MiB`,
      `  vs float32 head on ${check.count} val+test images: top-1 agreement ${(100 * check.agreement).toFixed(2)}%, max |Δp| ${check.maxAbsDiff.toExponential(2)}, AUC ${check.aucReference.toFixed(4)} → ${check.aucQuantized.toFixed(4)}`,
      `  OOD: ${report.ood.components} components, threshold ${report.ood.threshold.toFixed(3)}, validation pass rate ${(100 * report.ood.validationPassRate).toFixed(1)}%`,
      `  → ${EXPORT_REPORT}`,
    ].join('\n') + '\n',
  );
}
