/**
 * The train stage: manifest + prepared base → cached features → head → artifacts/head,
 * artifacts/predictions.json (val/test logits for evaluate) and metrics/train.tsv.
 * With model.fine_tune_from = block5 the features are block4_pool's and artifacts/head holds
 * block5 + head, trained together (see finetune.ts).
 */
import { join } from 'node:path';
import { positiveClassIndex } from '@respidetect/contract';
import { preprocessSpec, type Params } from '../config/params';
import { loadManifest, readPrepared } from '../data/prepared';
import type { ManifestRow } from '../data/manifest';
import type { Predictions } from '../eval/report';
import { OCCLUSIONS } from '../audit/occlusion';
import { extractFeatures, type Features } from '../embeddings';
import { loadBase, readBaseInfo } from '../model/base-artifact';
import { splitShape } from '../embeddings/split';
import { saveModel } from '../model/io';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { hashFile, sha256Hex } from '../util/hash';
import { fitHead, predictLogits, type FeatureMatrix, type FitResult } from './fit';
import { buildFineTuneModel, fineTuneLayerRates, fineTunePlan } from './finetune';
import { LOGITS_LAYER, PROBABILITIES_LAYER } from './head';
import { stagePaths, trainTsv, type HeadInfo, type StagePaths } from './outputs';

export interface TrainStageOptions {
  baseDir: string;
  paths?: StagePaths;
  log?: (line: string) => void;
  /** Called after each completed (checkpointed) epoch; tracking hooks in here. */
  onEpochEnd?: Parameters<typeof fitHead>[2]['onEpochEnd'];
}

export interface TrainStageResult {
  info: HeadInfo;
  fit: FitResult;
  /** Images whose features could not be computed, left out with the reason. */
  failed: { path: string; error: string }[];
}

function matrix(rows: readonly ManifestRow[], feats: Features, views: number, classes: string[]): FeatureMatrix {
  const dim = feats.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(rows.length * (views + 1) * dim);
  const labels: number[] = [];
  let r = 0;
  for (const row of rows)
    for (let v = 0; v <= views; v++) {
      x.set(feats.get(row.sha256, v), r++ * dim);
      labels.push(classes.indexOf(row.class));
    }
  return { x, labels };
}

export async function runTrainStage(params: Params, opts: TrainStageOptions): Promise<TrainStageResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`train: ${l}\n`));
  const paths = opts.paths ?? stagePaths();
  const plan = fineTunePlan(params.model.fine_tune_from);
  const manifest = loadManifest(params.data.prepared_dir);
  const classNames = manifest.classes;
  const positiveClass = positiveClassIndex(classNames);
  const base = readBaseInfo(opts.baseDir);
  if (base.imageSize !== params.model.image_size)
    throw new Error(`${opts.baseDir}/base.json is for ${base.imageSize}px but model.image_size is ${params.model.image_size}; rerun prepare-base`);
  const featureShape = splitShape(base, plan?.splitAt) as [number, number, number];
  if (featureShape.length !== 3) throw new Error(`${opts.baseDir}/base.json: featureShape must be [h, w, c], got ${JSON.stringify(featureShape)}`);

  const bySplit = (s: string) => manifest.rows.filter((r) => r.split === s);
  const views = params.train.augment ? params.train.augment_views : 0;
  const load = (r: ManifestRow) => ({ sha256: r.sha256, load: () => readPrepared(params.data.prepared_dir, r.sha256) });
  const upTo = plan?.splitAt;
  const preprocess = preprocessSpec(params);
  const trainFeats = await extractFeatures({ items: bySplit('train').map(load), baseDir: opts.baseDir, views, workers: params.train.workers, label: 'features train', upTo, preprocess });
  const evalFeats = await extractFeatures({
    items: [...bySplit('val'), ...bySplit('test')].map(load),
    baseDir: opts.baseDir,
    preprocess,
    views: 0,
    workers: params.train.workers,
    label: 'features val+test',
    upTo,
  });
  const failedSha = new Map([...trainFeats.failed, ...evalFeats.failed].map((f) => [f.sha256, f.error]));
  const failed = manifest.rows.filter((r) => failedSha.has(r.sha256)).map((r) => ({ path: r.path, error: failedSha.get(r.sha256)! }));
  for (const f of failed) log(`left out ${f.path}: ${f.error}`);
  const ok = (s: string) => bySplit(s).filter((r) => !failedSha.has(r.sha256));
  const [trainRows, valRows, testRows] = [ok('train'), ok('val'), ok('test')];
  log(
    `${trainRows.length} train images × ${views + 1} views, ${valRows.length} val, ${testRows.length} test; features ${featureShape.join('x')}` +
      (plan ? ` (${upTo}; fine-tuning ${plan.from} at ${plan.lrFactor} × learning rate)` : ''),
  );

  const train = matrix(trainRows, trainFeats, views, classNames);
  const val = matrix(valRows, evalFeats, 0, classNames);
  const test = matrix(testRows, evalFeats, 0, classNames);
  const head = { head: params.model.head, dropout: params.model.dropout, numClasses: classNames.length, featureShape, seed: params.data.seed };
  const settings = {
    head,
    optimizer: params.train.optimizer,
    learningRate: params.train.learning_rate,
    batchSize: params.train.batch_size,
    classWeights: params.train.class_weights,
  };
  // A fine-tune run's checkpoints hold block5 too: its fingerprint differs from the frozen run's.
  const fingerprint = sha256Hex(
    JSON.stringify({
      settings,
      views,
      datasetVersion: manifest.datasetVersion,
      base: [base.weightsSha256, base.imageSize],
      train: trainRows.map((r) => r.sha256),
      ...(plan ? { fineTune: plan } : {}),
    }),
  );
  // Fine-tuning starts block5 from the base's weights; a resumed run takes them from its checkpoint.
  const baseModel = plan ? (await loadBase(opts.baseDir)).model : undefined;
  let fit: FitResult;
  try {
    fit = await fitHead(train, val, {
      ...settings,
      epochs: params.train.epochs,
      patience: params.train.early_stopping_patience,
      checkpointDir: paths.checkpoints,
      fingerprint,
      log,
      onEpochEnd: opts.onEpochEnd,
      ...(plan && baseModel ? { build: () => buildFineTuneModel(baseModel, plan, head), layerRates: fineTuneLayerRates(baseModel, plan) } : {}),
    });
  } finally {
    baseModel?.dispose();
  }

  // Head first (weights.bin, then model.json), head.json last: it names the weights' hash.
  await saveModel(fit.model, paths.head);
  const info: HeadInfo = {
    preprocess,
    head: params.model.head,
    dropout: params.model.dropout,
    optimizer: params.train.optimizer,
    learningRate: params.train.learning_rate,
    batchSize: params.train.batch_size,
    classWeights: params.train.class_weights,
    augmentViews: views,
    featureShape,
    fineTuneFrom: plan?.from ?? null,
    fineTuneLearningRate: plan ? params.train.learning_rate * plan.lrFactor : null,
    classNames,
    positiveClass,
    datasetVersion: manifest.datasetVersion,
    weightsSha256: await hashFile(join(paths.head, 'weights.bin')),
    base: { weights: base.weights, weightsSha256: base.weightsSha256, imageSize: base.imageSize },
    layers: { logits: LOGITS_LAYER, probabilities: PROBABILITIES_LAYER },
    bestEpoch: fit.bestEpoch,
    epochsRun: fit.history.length,
    stoppedEarly: fit.stoppedEarly,
    trainItems: trainRows.length,
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(paths.headJson, info);

  const predictions: Predictions = {
    classNames,
    positiveClass,
    datasetVersion: manifest.datasetVersion,
    trainCounts: classNames.map((c) => trainRows.filter((r) => r.class === c).length),
    val: { sha256: valRows.map((r) => r.sha256), labels: val.labels, logits: await predictLogits(fit.logits, val, featureShape) },
    test: { sha256: testRows.map((r) => r.sha256), labels: test.labels, logits: await predictLogits(fit.logits, test, featureShape) },
    occlusion: {},
  };
  // The shortcut audit's occlusion check: the same test images with the lungs hidden, and with only the border kept.
  for (const occlusion of OCCLUSIONS) {
    const feats = await extractFeatures({ items: testRows.map(load), baseDir: opts.baseDir, preprocess, occlusion, views: 0, workers: params.train.workers, label: `features test, ${occlusion}`, upTo });
    const rows = testRows.filter((r) => !feats.failed.some((f) => f.sha256 === r.sha256));
    for (const f of feats.failed) log(`occlusion ${occlusion}: left out ${f.sha256}: ${f.error}`);
    const m = matrix(rows, feats, 0, classNames);
    predictions.occlusion![occlusion] = { sha256: rows.map((r) => r.sha256), labels: m.labels, logits: await predictLogits(fit.logits, m, featureShape) };
  }
  writeJsonAtomic(paths.predictions, predictions);
  writeFileAtomic(paths.trainTsv, trainTsv(fit.history));
  return { info, fit, failed };
}
