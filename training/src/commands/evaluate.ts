/**
 * `respidetect-train evaluate`: the DVC `evaluate` stage. Reads artifacts/predictions.json; fits
 * temperature and threshold on validation; reports every figure on the test split beside the
 * majority-class baseline. Writes metrics/scores.json, artifacts/calibration.json and two PNGs.
 */
import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { evaluatePredictions, type Predictions } from '../eval/report';
import { confusionMatrixSvg, rocSvg, svgToPng } from '../eval/plots';
import { PIPELINE_RUN_FILE, withRun } from '../tracking';
import { stagePaths } from '../train/outputs';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';

const f3 = (x: number) => x.toFixed(3);

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {});
  const params = loadParams(args.params, args.overrides);
  const paths = stagePaths();
  let pred: Predictions;
  try {
    pred = JSON.parse(readFileSync(paths.predictions, 'utf8')) as Predictions;
  } catch (err) {
    throw new Error(`${paths.predictions}: cannot read predictions (${(err as Error).message}); run the train stage first`, { cause: err });
  }
  const report = evaluatePredictions(pred, { minSensitivity: params.evaluate.min_sensitivity, bootstrap: params.evaluate.bootstrap, seed: params.data.seed });
  const { model: m, baseline: b, calibration: c } = report;
  const pos = report.classNames[report.positiveClass]!;

  const { roc, ...scores } = report;
  writeJsonAtomic(paths.scores, scores);
  writeJsonAtomic(paths.calibration, { temperature: c.temperature, decisionThreshold: c.decisionThreshold, rule: c.rule, placement: c.placement, positiveClass: report.positiveClass, classNames: report.classNames });
  writeFileAtomic(paths.confusionPng, await svgToPng(confusionMatrixSvg(
          m.confusionMatrix,
          report.classNames,
          `Test confusion matrix (n=${report.test.count})`,
          `at the shipped rule: T = ${c.temperature.toFixed(2)}, ${pos} if p ≥ ${c.decisionThreshold.toFixed(3)}`,
        )));
  writeFileAtomic(
    paths.rocPng,
    await svgToPng(rocSvg(roc.model, `AUC ${f3(m.rocAuc)} [${f3(m.rocAucCi95[0])}, ${f3(m.rocAucCi95[1])}]`, `Test ROC: ${pos} vs rest (n=${report.test.count})`)),
  );

  await withRun({ stage: 'evaluate', resumeFile: PIPELINE_RUN_FILE, datasetVersion: report.datasetVersion }, async (run) => {
    await run.logMetrics({
      test_accuracy: report.accuracy,
      test_accuracy_at_threshold: m.accuracy,
      test_loss: m.loss,
      test_roc_auc: m.rocAuc,
      test_roc_auc_ci_low: m.rocAucCi95[0],
      test_roc_auc_ci_high: m.rocAucCi95[1],
      test_sensitivity: m.sensitivity,
      test_specificity: m.specificity,
      test_ece_before: m.ece,
      test_ece_after: m.eceCalibrated,
      baseline_accuracy: b.accuracy,
      temperature: c.temperature,
      decision_threshold: c.decisionThreshold,
      // 1 when the documented fallback placed the threshold (validation too small or too costly for the main rule).
      threshold_fallback: c.placement.placedBy === 'fallback' ? 1 : 0,
      validation_negatives: c.placement.validation.negatives,
    });
    for (const p of [paths.scores, paths.calibration, paths.confusionPng, paths.rocPng]) await run.logArtifact(p, 'evaluation');
  });

  const lines = [
    `evaluate: test split, n=${report.test.count} (model | majority baseline "${b.class}")`,
    `  accuracy     ${f3(report.argmax.accuracy)} | ${f3(b.accuracy)}   (at the threshold ${f3(m.accuracy)})`,
    `  loss         ${f3(m.loss)} | ${f3(b.loss)}   (calibrated ${f3(m.lossCalibrated)})`,
    `  ROC-AUC      ${f3(m.rocAuc)} [95% CI ${f3(m.rocAucCi95[0])}, ${f3(m.rocAucCi95[1])}] | ${f3(b.rocAuc)}`,
    `  sensitivity  ${f3(m.sensitivity)} | ${f3(b.sensitivity)}   (${pos}, at the threshold; argmax ${f3(report.argmax.sensitivity)})`,
    `  specificity  ${f3(m.specificity)} | ${f3(b.specificity)}   (at the threshold; argmax ${f3(report.argmax.specificity)})`,
    `  ECE          ${f3(m.ece)} → ${f3(m.eceCalibrated)} calibrated | ${f3(b.ece)}`,
    ...report.classNames.map((n) => {
      const x = m.perClass[n]!;
      const y = b.perClass[n]!;
      return `  ${n.padEnd(12)} P ${f3(x.precision)} R ${f3(x.recall)} F1 ${f3(x.f1)} | P ${f3(y.precision)} R ${f3(y.recall)} F1 ${f3(y.f1)} (n=${x.support})`;
    }),
    `  temperature ${c.temperature.toFixed(4)}, threshold ${c.decisionThreshold.toFixed(4)} (${c.rule})`,
    ...(c.placement.placedBy === 'fallback' ? [`  NOTE: the threshold is the documented fallback: ${c.placement.fallbackReason}`] : []),
    `  → ${paths.scores}, ${paths.calibration}, ${paths.confusionPng}, ${paths.rocPng}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
