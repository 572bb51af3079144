/**
 * `respidetect-train evaluate`: the DVC `evaluate` stage. Reads artifacts/predictions.json; fits
 * temperature and threshold on validation; reports every figure on the test split beside the
 * majority-class baseline. Writes metrics/scores.json, artifacts/calibration.json and two PNGs.
 */
import { readFileSync } from 'node:fs';
import { occlusionFigures } from '../audit/occlusion';
import { loadManifest } from '../data/prepared';
import { perSourceFigures } from '../eval/per-source';
import { auditMetrics, describeAudit, readShortcutAudit } from '../audit/shortcut-audit';
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
  // The metadata-only baseline (ingest's shortcut audit, same splits) beside the model's figures.
  const shortcut = readShortcutAudit();
  // The occlusion check: the model's AUC with the lungs hidden, and with only the border kept.
  const occlusion = occlusionFigures(pred.occlusion, pred.positiveClass, params.evaluate.bootstrap, params.data.seed);
  // Several sources: the test figures of each at the shipped rule; with leave-one-source-out the test split is one source.
  const manifest = loadManifest(params.data.prepared_dir);
  const perSource = manifest.sources
    ? perSourceFigures(manifest, pred.test, { classNames: report.classNames, positiveClass: report.positiveClass, temperature: c.temperature, decisionThreshold: c.decisionThreshold }, params.evaluate.bootstrap, params.data.seed)
    : undefined;
  writeJsonAtomic(paths.scores, {
    ...scores,
    metadataOnly: shortcut.audit ? { ...auditMetrics(shortcut.audit), tooSmall: shortcut.audit.tooSmall } : { missing: shortcut.reason },
    occlusion,
    ...(perSource ? { perSource, heldOutSource: manifest.heldOutSource ?? null } : {}),
  });
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
      ...(shortcut.audit?.file.testAuc != null ? { metadata_only_roc_auc: shortcut.audit.file.testAuc } : {}),
      ...(shortcut.audit?.modelInput.testAuc != null ? { metadata_only_input_roc_auc: shortcut.audit.modelInput.testAuc } : {}),
      ...(occlusion['centre-masked']?.rocAuc != null ? { occlusion_centre_masked_roc_auc: occlusion['centre-masked'].rocAuc } : {}),
      ...(occlusion['border-only']?.rocAuc != null ? { occlusion_border_only_roc_auc: occlusion['border-only'].rocAuc } : {}),
      ...Object.fromEntries(Object.entries(perSource ?? {}).flatMap(([name, p]) => (p.rocAuc === null ? [] : [[`test_roc_auc_${name}`, p.rocAuc]]))),
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
    `  ${shortcut.audit ? describeAudit(shortcut.audit) : `metadata-only baseline: not available (${shortcut.reason})`}`,
    ...(manifest.heldOutSource ? [`  leave-one-source-out: the test split is source "${manifest.heldOutSource}", never trained or tuned on`] : []),
    ...Object.entries(perSource ?? {}).map(
      ([name, p]) =>
        `  source ${name}: n=${p.n}, ROC-AUC ${p.rocAuc === null ? 'n/a' : `${f3(p.rocAuc)} [95% CI ${f3(p.rocAucCi95![0])}, ${f3(p.rocAucCi95![1])}]`}, sensitivity ${p.sensitivity === null ? 'n/a' : f3(p.sensitivity)}, specificity ${p.specificity === null ? 'n/a' : f3(p.specificity)}`,
    ),
    ...Object.entries(occlusion).map(([k, o]) => `  occlusion ${k}: ROC-AUC ${o.rocAuc === null ? 'n/a' : `${f3(o.rocAuc)} [95% CI ${f3(o.rocAucCi95![0])}, ${f3(o.rocAucCi95![1])}]`} (n=${o.n})`),
    `  temperature ${c.temperature.toFixed(4)}, threshold ${c.decisionThreshold.toFixed(4)} (${c.rule})`,
    ...(c.placement.placedBy === 'fallback' ? [`  NOTE: the threshold is the documented fallback: ${c.placement.fallbackReason}`] : []),
    `  → ${paths.scores}, ${paths.calibration}, ${paths.confusionPng}, ${paths.rocPng}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
