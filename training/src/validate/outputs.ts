/**
 * Where a validation report goes: metrics/external/<name>.json with its ROC, confusion and
 * calibration PNGs; the model's MLflow run when this store has it; and, on request, the model's
 * metadata.json (externalValidation[], then the model card). metadata.json's own sha256 is not part
 * of the model id or of any hash the loaders check, so adding a result keeps the model the same;
 * the directory is verified again after the write all the same.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { externalValidationSummary, parseModelMetadata, type ExternalReport } from '@respidetect/contract';
import { calibrationSvg, confusionMatrixSvg, rocSvg, svgToPng } from '../eval/plots';
import { verifyModelDir } from '../inference/model-dir';
import { PIPELINE_RUN_FILE, recordedRun, withRun } from '../tracking';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';

export const EXTERNAL_DIR = 'metrics/external';

const f3 = (x: number) => x.toFixed(3);

export interface WrittenReport {
  json: string;
  pngs: string[];
}

export async function writeReportFiles(report: ExternalReport, dir = EXTERNAL_DIR): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${report.name}.json`);
  writeJsonAtomic(json, report);
  const f = report.all;
  const pngs: string[] = [];
  if (f) {
    const pos = report.positiveClass;
    const cm = join(dir, `${report.name}_confusion.png`);
    writeFileAtomic(
      cm,
      await svgToPng(confusionMatrixSvg(f.atShippedThreshold.confusionMatrix, report.classNames, `${report.name}: confusion matrix (n=${f.n})`, `at the shipped threshold: ${pos} if p ≥ ${report.decisionThreshold.toFixed(3)}; refusals ignored`)),
    );
    pngs.push(cm);
    if (f.rocAuc !== null && f.rocAucCi95) {
      const roc = join(dir, `${report.name}_roc.png`);
      writeFileAtomic(roc, await svgToPng(rocSvg(f.roc, `AUC ${f3(f.rocAuc)} [${f3(f.rocAucCi95[0])}, ${f3(f.rocAucCi95[1])}]`, `${report.name}: ROC ${pos} vs rest (n=${f.n})`)));
      pngs.push(roc);
    }
    const cal = join(dir, `${report.name}_calibration.png`);
    writeFileAtomic(cal, await svgToPng(calibrationSvg(f.calibrationCurve, `${report.name}: calibration of p(${pos}) (n=${f.n})`, `ECE ${f3(f.ece)} (top label, 15 bins)`)));
    pngs.push(cal);
  }
  return { json, pngs };
}

/** Appends (or replaces, by name) the report's summary in <modelDir>/metadata.json. */
export function addToMetadata(modelDir: string, report: ExternalReport): void {
  const path = join(modelDir, 'metadata.json');
  const meta = parseModelMetadata(JSON.parse(readFileSync(path, 'utf8')));
  if (meta.modelId !== report.modelId) throw new Error(`${path}: model ${meta.modelId} is not the model the report is about (${report.modelId})`);
  const summary = externalValidationSummary(report);
  meta.externalValidation = [...(meta.externalValidation ?? []).filter((e) => e.name !== summary.name), summary];
  // Validate what is about to be written, so a bad summary can never leave an unreadable model behind.
  parseModelMetadata(JSON.parse(JSON.stringify(meta)));
  writeFileAtomic(path, JSON.stringify(meta, null, 2) + '\n');
  verifyModelDir(modelDir);
}

/** Logs into the run that trained the model, when this store has it; never starts a new run. */
export async function logToModelRun(report: ExternalReport, files: WrittenReport, trainingRunId: string, runFile = PIPELINE_RUN_FILE): Promise<string> {
  const recorded = recordedRun(runFile);
  if (!recorded || recorded.runId !== trainingRunId)
    return `mlflow: not logged (the model's run ${trainingRunId} is not the run recorded in ${runFile} for this tracking store)`;
  const f = report.all;
  const key = (k: string) => `external.${report.name}.${k}`;
  const metrics: Record<string, number> = {
    [key('files')]: report.counts.files,
    [key('failed')]: report.counts.failed,
    [key('refused')]: report.counts.refused,
    [key('warned')]: report.counts.warned,
  };
  if (f) {
    if (f.rocAuc !== null && f.rocAucCi95) Object.assign(metrics, { [key('roc_auc')]: f.rocAuc, [key('roc_auc_ci_low')]: f.rocAucCi95[0], [key('roc_auc_ci_high')]: f.rocAucCi95[1] });
    const s = f.atShippedThreshold;
    Object.assign(metrics, { [key('sensitivity')]: s.sensitivity.value, [key('specificity')]: s.specificity.value, [key('ppv')]: s.ppv.value, [key('npv')]: s.npv.value, [key('ece')]: f.ece });
  }
  await withRun({ stage: 'validate', resumeFile: runFile }, async (run) => {
    await run.logMetrics(metrics);
    for (const p of [files.json, ...files.pngs]) await run.logArtifact(p, `external/${report.name}`);
  });
  return `mlflow: logged to run ${trainingRunId}`;
}
