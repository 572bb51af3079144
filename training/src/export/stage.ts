/**
 * The export stage (mirrors train/stage.ts; commands/export.ts adds tracking and the summary):
 * joins the VGG16 base and the trained head into one graph model with the caffe normalisation
 * inside, heatmap and embedding outputs, OOD statistics, calibration and test metrics, and writes
 * it to export.out_dir (public/model).
 *
 * Quantized weights must earn their place: the candidate graph runs on every validation and test
 * image and is compared with the float32 head's own predictions; a quantization that decides
 * differently is refused and nothing already deployed is touched.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { calibratedProbabilities, preprocessOf, type ThresholdPlacement } from '@respidetect/contract';
import type { Params } from '../config/params';
import { extractFeatures } from '../embeddings';
import { loadManifest, readPrepared } from '../data/prepared';
import type { Manifest } from '../data/manifest';
import type { Predictions } from '../eval/report';
import { loadGraphModelDir, predictPixels } from '../inference/graph-model';
import { loadBase } from '../model/base-artifact';
import { loadModel as loadLayersModel } from '../model/io';
import { PIPELINE_RUN_FILE } from '../tracking';
import { fineTunedEmbeddings, fineTunePlan, joinBaseAndHead } from '../train/finetune';
import { stagePaths, type HeadInfo, type StagePaths } from '../train/outputs';
import { readJsonFile } from '../util/json';
import { writeJsonAtomic } from '../util/atomic';
import { progress } from '../util/progress';
import { fitOod } from './ood';
import { promoteStagedModel } from './promote';
import { checkQuantization, type QuantizationCheck } from './quantization-check';
import { scoresToMetrics, type Scores } from './scores-metrics';
import { writeGraphModel, type WrittenModel } from './write-model';

export const EXPORT_REPORT = 'reports/export.json';

export interface ExportStageOptions {
  /** Where the model goes (export.out_dir unless the command says otherwise). */
  outDir: string;
  baseDir: string;
  paths?: StagePaths;
  /** When the command started (Date.now()), for the report's seconds; default: now. */
  startedAt?: number;
}

export interface ExportReport {
  modelId: string;
  dtype: Params['export']['dtype'];
  weightBytes: number;
  modelJsonBytes: number;
  weightBytesByDtype: WrittenModel['weightBytesByDtype'];
  shards: number;
  quantization: QuantizationCheck;
  ood: { components: number; threshold: number; validationPassRate: number };
  seconds: number;
}

export interface ExportStageResult {
  head: HeadInfo;
  written: WrittenModel;
  report: ExportReport;
}

type Calibration = { temperature: number; decisionThreshold: number; rule: string; placement?: ThresholdPlacement };

export async function runExportStage(params: Params, opts: ExportStageOptions): Promise<ExportStageResult> {
  const t0 = opts.startedAt ?? Date.now();
  const paths = opts.paths ?? stagePaths();
  const { outDir, baseDir } = opts;
  const head = readJsonFile<HeadInfo>(paths.headJson, 'run the train stage first');
  const calibration = readJsonFile<Calibration>(paths.calibration, 'run the evaluate stage first');
  const scores = readJsonFile<Scores>(paths.scores, 'run the evaluate stage first');
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
  const { valPassRate, ...ood } = await fitStageOod(params, manifest, head, headModel, baseDir);

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
      metrics: scoresToMetrics(scores),
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

  const check = await checkCandidate(params, staging, predictions, head.positiveClass);
  // Only now, and only if the check passed, replace what is deployed.
  promoteStagedModel(staging, outDir, check);

  const report: ExportReport = {
    modelId: written.metadata.modelId,
    dtype: params.export.dtype,
    weightBytes: written.weightBytes,
    modelJsonBytes: written.modelJsonBytes,
    weightBytesByDtype: written.weightBytesByDtype,
    shards: Object.keys(written.metadata.hashes.weights).length,
    quantization: check,
    ood: { components: ood.components.length, threshold: ood.threshold, validationPassRate: valPassRate },
    seconds: (Date.now() - t0) / 1000,
  };
  writeJsonAtomic(EXPORT_REPORT, report);
  return { head, written, report };
}

/**
 * OOD statistics from the pooled block5 features the train stage already cached (for a
 * fine-tuned block5: its cached block4_pool input, through the fine-tuned block5).
 */
async function fitStageOod(params: Params, manifest: Manifest, head: HeadInfo, headModel: tf.LayersModel, baseDir: string): Promise<ReturnType<typeof fitOod>> {
  const fineTune = fineTunePlan(head.fineTuneFrom ?? null);
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
  return fitOod(embed('train'), embed('val'));
}

/** The candidate graph on every validation and test image, against the float32 head's predictions. */
async function checkCandidate(params: Params, staging: string, predictions: Predictions, positiveClass: number): Promise<QuantizationCheck> {
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
  return checkQuantization(params.export.dtype, reference, candidate, labels, positiveClass);
}
