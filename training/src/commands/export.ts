/**
 * `respidetect-train export`: the DVC `export` stage. Joins the VGG16 base and the trained head
 * into one graph model with the caffe normalisation inside, heatmap and embedding outputs, OOD
 * statistics, calibration and test metrics, and writes it to export.out_dir (public/model).
 *
 * Quantized weights must earn their place: the candidate graph runs on every validation and test
 * image and is compared with the float32 head's own predictions; a quantization that decides
 * differently is refused and nothing already deployed is touched.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJsonFile } from '../util/json';
import { type ModelMetrics, type SourceMetrics, type ThresholdPlacement, calibratedProbabilities, preprocessOf } from '@respidetect/contract';
import { initBackend } from '../backend';
import type { Occlusion, OcclusionFigure } from '../audit/occlusion';
import type { SourceFigures } from '../eval/per-source';
import { DATA_REPORT } from '../audit/shortcut-audit';
import { parseCommandArgs } from '../cli/args';
import { loadParams } from '../config/params';
import { loadManifest, readPrepared } from '../data/prepared';
import type { Predictions } from '../eval/report';
import { fitOod } from '../export/ood';
import { promoteStagedModel } from '../export/promote';
import { checkQuantization } from '../export/quantization-check';
import { writeGraphModel } from '../export/write-model';
import { extractFeatures } from '../embeddings';
import { loadModel as loadLayersModel } from '../model/io';
import { DEFAULT_BASE_DIR, loadBase } from '../model/base-artifact';
import { loadGraphModelDir, predictPixels } from '../inference/graph-model';
import { PIPELINE_RUN_FILE, withRun } from '../tracking';
import { fineTunedEmbeddings, fineTunePlan, joinBaseAndHead } from '../train/finetune';
import type { HeadInfo } from '../train/outputs';
import { stagePaths } from '../train/outputs';
import { writeJsonAtomic } from '../util/atomic';
import { progress } from '../util/progress';

export const EXPORT_REPORT = 'reports/export.json';

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, { out: { type: 'string' }, 'base-dir': { type: 'string' } });
  const params = loadParams(args.params, args.overrides);
  const paths = stagePaths();
  const outDir = resolve(String(args.flags.out ?? params.export.out_dir));
  const baseDir = String(args.flags['base-dir'] ?? DEFAULT_BASE_DIR);
  const t0 = Date.now();
  await initBackend();

  const head = readJsonFile<HeadInfo>(paths.headJson, 'run the train stage first');
  const calibration = readJsonFile<{ temperature: number; decisionThreshold: number; rule: string; placement?: ThresholdPlacement }>(paths.calibration, 'run the evaluate stage first');
  const scores = readJsonFile<{
    metrics: ModelMetrics;
    metadataOnly?: Partial<ModelMetrics>;
    occlusion?: Partial<Record<Occlusion, OcclusionFigure>>;
    perSource?: Record<string, SourceFigures>;
    heldOutSource?: string | null;
  }>(
    paths.scores,
    'run the evaluate stage first',
  );
  const predictions = readJsonFile<Predictions>(paths.predictions, 'run the train stage first');
  const manifest = loadManifest(params.data.prepared_dir);
  if (manifest.datasetVersion !== head.datasetVersion)
    throw new Error(`the head was trained on dataset ${head.datasetVersion} but ${params.data.prepared_dir} holds ${manifest.datasetVersion}; rerun train`);

  const { model: base, info: baseInfo } = await loadBase(baseDir);
  if (baseInfo.weightsSha256 !== head.base.weightsSha256) throw new Error(`${baseDir} holds other weights than the head was trained on; rerun prepare-base and train`);
  const headModel = await loadLayersModel(paths.head);
  // A fine-tuned head carries its own block5, which replaces the base's (joinBaseAndHead).
  const fineTune = fineTunePlan(head.fineTuneFrom ?? null);
  const chain = {
    layers: joinBaseAndHead(base, headModel).filter((l) => l.getClassName() !== 'InputLayer'),
    inputShape: base.inputs[0]!.shape,
  };

  // OOD statistics from the pooled block5 features the train stage already cached (for a
  // fine-tuned block5: its cached block4_pool input, through the fine-tuned block5).
  const bySplit = (s: string) => manifest.rows.filter((r) => r.split === s);
  const feats = await extractFeatures({
    items: [...bySplit('train'), ...bySplit('val')].map((r) => ({ sha256: r.sha256, load: () => readPrepared(params.data.prepared_dir, r.sha256) })),
    baseDir,
    // The spec the head was trained under (head.json), not today's params: they could differ.
    preprocess: preprocessOf(head),
    views: 0,
    workers: params.train.workers,
    label: 'embeddings',
    upTo: fineTune?.splitAt,
  });
  const failed = new Set(feats.failed.map((f) => f.sha256));
  const embed = (s: string) => {
    const rows = bySplit(s).filter((r) => !failed.has(r.sha256));
    return fineTune ? fineTunedEmbeddings(headModel, fineTune, rows.map((r) => feats.get(r.sha256, 0)), feats.shape) : rows.map((r) => feats.embedding(r.sha256, 0));
  };
  const { valPassRate, ...ood } = fitOod(embed('train'), embed('val'));

  let trainingRunId = 'untracked';
  if (existsSync(PIPELINE_RUN_FILE)) trainingRunId = (JSON.parse(readFileSync(PIPELINE_RUN_FILE, 'utf8')) as { run_id: string }).run_id;

  const staging = `${outDir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  const written = writeGraphModel({
    model: chain,
    outDir: staging,
    dtype: params.export.dtype,
    shardBytes: Math.round(params.export.shard_size_mb * 1024 * 1024),
    caffeNormalisation: true,
    facts: {
      classNames: head.classNames,
      positiveClass: head.positiveClass,
      datasetVersion: head.datasetVersion,
      // The metadata-only baseline travels with the model's figures, so the card can set them side by side.
      metrics: { ...scores.metrics, ...pickMetadataOnly(scores.metadataOnly), ...occlusionMetrics(scores.occlusion), ...sourceMetrics(scores.perSource, scores.heldOutSource) },
      decisionThreshold: calibration.decisionThreshold,
      ...(calibration.placement ? { thresholdPlacement: calibration.placement } : {}),
      temperature: calibration.temperature,
      trainingRunId,
      architecture: `VGG16 (${baseInfo.weights} weights, ${fineTune ? `${fineTune.from} fine-tuned` : 'frozen'}) + ${head.head} head, ${baseInfo.imageSize}px`,
      ood,
      preprocess: preprocessOf(head),
      evaluation: { method: 'pipeline', validationSplit: true, calibrated: true },
    },
  });

  // The candidate graph on every validation and test image, against the float32 head.
  const graph = await loadGraphModelDir(staging);
  const reference: number[][] = [];
  const candidate: number[][] = [];
  const labels: number[] = [];
  const items = [...predictions.val.sha256.map((s, i) => ({ s, i, split: predictions.val })), ...predictions.test.sha256.map((s, i) => ({ s, i, split: predictions.test }))];
  const bar = progress(`export check (${params.export.dtype})`, items.length, 'images');
  for (const { s, i, split } of items) {
    const p = await predictPixels(graph, await readPrepared(params.data.prepared_dir, s));
    candidate.push(calibratedProbabilities(p.logits, 1));
    reference.push(calibratedProbabilities(split.logits[i]!, 1));
    labels.push(split.labels[i]!);
    bar.tick();
  }
  bar.done();
  graph.model.dispose();
  const check = checkQuantization(params.export.dtype, reference, candidate, labels, head.positiveClass);
  // Only now, and only if the check passed, replace what is deployed.
  promoteStagedModel(staging, outDir, check);

  const sizes = written.weightBytesByDtype;
  const report = {
    modelId: written.metadata.modelId,
    dtype: params.export.dtype,
    weightBytes: written.weightBytes,
    modelJsonBytes: written.modelJsonBytes,
    weightBytesByDtype: sizes,
    shards: Object.keys(written.metadata.hashes.weights).length,
    quantization: check,
    ood: { components: ood.components.length, threshold: ood.threshold, validationPassRate: valPassRate },
    seconds: (Date.now() - t0) / 1000,
  };
  writeJsonAtomic(EXPORT_REPORT, report);

  await withRun({ stage: 'export', resumeFile: PIPELINE_RUN_FILE, datasetVersion: head.datasetVersion }, async (r) => {
    await r.logMetrics({
      export_weight_mib: written.weightBytes / 2 ** 20,
      export_top1_agreement: check.agreement,
      export_auc_drop: check.aucDrop,
      ood_val_pass_rate: valPassRate,
    });
    await r.setTag('model.id', written.metadata.modelId);
    await r.logArtifact(outDir, 'model');
    await r.logArtifact(EXPORT_REPORT, 'export');
    if (existsSync(DATA_REPORT)) await r.logArtifact(DATA_REPORT, 'data');
    const reg = await r.registerModel('respidetect', 'model');
    if (!reg.ok) process.stderr.write(`mlflow: model not registered (${reg.error ?? 'unavailable'}); the run still holds it\n`);
  });

  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  process.stdout.write(
    [
      `export: ${outDir} model ${written.metadata.modelId} (${params.export.dtype}, ${mib(written.weightBytes)} MiB in ${report.shards} shards)`,
      `  sizes: float32 ${mib(sizes.float32)} MiB, float16 ${mib(sizes.float16)} MiB, uint8 ${mib(sizes.uint8)} MiB`,
      `  vs float32 head on ${check.count} val+test images: top-1 agreement ${(100 * check.agreement).toFixed(2)}%, max |Δp| ${check.maxAbsDiff.toExponential(2)}, AUC ${check.aucReference.toFixed(4)} → ${check.aucQuantized.toFixed(4)}`,
      `  OOD: ${ood.components.length} components, threshold ${ood.threshold.toFixed(3)}, validation pass rate ${(100 * valPassRate).toFixed(1)}%`,
      `  → ${EXPORT_REPORT}`,
    ].join('\n') + '\n',
  );
}

/** The entries of `o` that carry a value: metadata.json's optional fields are absent, never null. */
const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

/** scores.json's metadataOnly block → the ModelMetrics fields it fills (none when ingest had no audit). */
function pickMetadataOnly(m: Partial<ModelMetrics> | undefined): Partial<ModelMetrics> {
  if (!m) return {};
  const { metadataOnlyRocAuc, metadataOnlyRocAucCi95, metadataOnlyInputRocAuc, shortcutWarning } = m;
  return defined({ metadataOnlyRocAuc, metadataOnlyRocAucCi95, metadataOnlyInputRocAuc, shortcutWarning });
}

/** scores.json's occlusion block → ModelMetrics fields (only the figures that could be computed). */
function occlusionMetrics(o: Partial<Record<Occlusion, OcclusionFigure>> | undefined): Partial<ModelMetrics> {
  const c = o?.['centre-masked'];
  const b = o?.['border-only'];
  return {
    ...(c?.rocAuc != null ? { occlusionCentreMaskedRocAuc: c.rocAuc, occlusionCentreMaskedRocAucCi95: c.rocAucCi95! } : {}),
    ...(b?.rocAuc != null ? { occlusionBorderOnlyRocAuc: b.rocAuc, occlusionBorderOnlyRocAucCi95: b.rocAucCi95! } : {}),
  };
}

/** scores.json's per-source figures (and the left-out source) → ModelMetrics fields. */
function sourceMetrics(perSource: Record<string, SourceFigures> | undefined, heldOut: string | null | undefined): Partial<ModelMetrics> {
  if (!perSource) return {};
  return {
    ...(heldOut ? { heldOutSource: heldOut } : {}),
    perSource: Object.fromEntries(
      Object.entries(perSource).map(([name, p]) => [name, defined({ n: p.n, rocAuc: p.rocAuc, rocAucCi95: p.rocAucCi95, sensitivity: p.sensitivity, specificity: p.specificity }) as SourceMetrics]),
    ),
  };
}
