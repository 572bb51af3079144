/**
 * `train --data <folder>`: the one-shot path from a folder of class subfolders (`<class>/…`, or
 * `train|valid|test/<class>/…` as ingest reads it) to a deployable
 * graph model, with a small VGG-style network. It splits like ingest does (exact and perceptual
 * duplicate groups, whole groups per class by a seeded order, a fifth held out) and reports on the
 * held-out part only, at the threshold it ships, beside the majority baseline. It has no
 * validation split and no calibration, and metadata.json says so. The full VGG16 pipeline is
 * `npm run pipeline`; this is for trying the app end to end in a minute.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { MIN_PER_CLASS_TO_CONCLUDE, normalizeCaffe, prepareInput, positiveClassIndex, rng, shuffled, type PreprocessSpec, type WeightDtype } from '@respidetect/contract';
import { initTrainingBackend, tf } from '../backend';
import { parseCommandArgs } from '../cli/args';
import { loadParams, preprocessSpec } from '../config/params';
import { writeGraphModel } from '../export/write-model';
import { readClassFolders, type LabelledImage } from '../quick/folder-dataset';
import { heldOutFigures } from '../quick/held-out-figures';
import { splitQuick } from '../quick/held-out';
import { buildSmallVgg } from '../quick/small-vgg';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';

/** Prepared inputs (the contract's preparation, VGG's normalisation) and one-hot labels; `label` shows progress. */
function toBatch(images: LabelledImage[], size: number, classes: number, preprocess: PreprocessSpec, label?: string): { x: tf.Tensor4D; y: tf.Tensor2D } {
  // One image at a time, so a long preparation (source normalisation of every image) shows progress with an ETA.
  const bar = label ? progress(label, images.length, 'images') : null;
  const xs = images.map((im) => {
    const t = tf.tidy(() => normalizeCaffe(tf, prepareInput(tf, im.pixels, size, preprocess)));
    bar?.tick();
    return t;
  });
  const x = tf.concat(xs) as tf.Tensor4D;
  tf.dispose(xs);
  bar?.done();
  const y = tf.tidy(
    () =>
      tf.oneHot(
        tf.tensor1d(
          images.map((im) => im.label),
          'int32',
        ),
        classes,
      ) as tf.Tensor2D,
  );
  return { x, y };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseCommandArgs(argv, {
    data: { type: 'string' },
    out: { type: 'string' },
    'image-size': { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    dtype: { type: 'string' },
    'learning-rate': { type: 'string' },
  });
  const params = loadParams(args.params, args.overrides);
  const preprocess = preprocessSpec(params);
  const dataDir = resolve(String(args.flags.data));
  const outDir = resolve(String(args.flags.out ?? params.export.out_dir));
  const size = Number(args.flags['image-size'] ?? 64);
  const epochs = Number(args.flags.epochs ?? 8);
  const seed = Number(args.flags.seed ?? params.data.seed);
  const dtype = String(args.flags.dtype ?? 'float32') as WeightDtype;
  const learningRate = Number(args.flags['learning-rate'] ?? 1e-3);
  if (!Number.isInteger(size) || size < 8 || size % 4 !== 0) throw new Error(`--image-size must be a multiple of 4, at least 8; got ${String(args.flags['image-size'])}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer`);

  const backend = await initTrainingBackend();
  const ds = await readClassFolders(dataDir);
  for (const k of ds.skipped) process.stderr.write(`skipped (${k.code}) ${k.reason}\n`);
  for (const r of ds.rejected) process.stderr.write(`skipped (${r.code}) ${r.path}: ${r.reason}\n`);
  process.stderr.write(`read ${ds.root} (${ds.layout === 'split/class' ? 'train|valid|test/<class>' : '<class>'} folders): ${ds.images.length} images of ${ds.classNames.join(', ')}\n`);
  if (ds.images.length < 4) throw new Error(`${dataDir}: only ${ds.images.length} readable images; need at least 4`);

  const split = splitQuick(ds, { nearBits: params.data.near_duplicate_bits, seed });
  const { train, heldOut: held, grouping } = split;
  const classes = ds.classNames.length;
  for (const c of split.conflicts) process.stderr.write(`left out (the same or a near-identical image is filed under ${c.classes.join(' and ')}): ${c.paths.join(', ')}\n`);
  process.stderr.write(
    `groups: ${grouping.files} files, ${grouping.distinct} distinct, ${grouping.exactRedundantCopies} exact copies, ${grouping.nearGroups} near-duplicate groups holding ${grouping.nearGroupedImages} images, ${grouping.groups} groups split, ${grouping.labelConflicts} label conflicts left out\n`,
  );
  if (held.length === 0 || train.length === 0)
    throw new Error(`${dataDir}: ${grouping.groups} duplicate groups are too few to hold some out and train on the rest; add more distinct images`);
  for (const [k, name] of ds.classNames.entries())
    if (!train.some((im) => im.label === k)) process.stderr.write(`warning: class "${name}" has no training image after grouping; the model cannot learn it\n`);

  const model = buildSmallVgg(size, classes, seed);
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rand = rng(seed);
  // Prepared once; each epoch only reorders them (a seeded shuffle, so runs repeat exactly).
  const all = toBatch(train, size, classes, preprocess, 'prepare');
  const bar = progress('train', epochs, 'epochs');
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = tf.tensor1d(shuffled([...train.keys()], rand), 'int32');
    const x = tf.gather(all.x, order);
    const y = tf.gather(all.y, order);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    tf.dispose([x, y, order]);
    bar.tick(1, `loss ${Number(h.history.loss?.[0]).toFixed(4)}`);
  }
  tf.dispose([all.x, all.y]);
  bar.done();

  // The decision rule it ships: no validation split to fit a threshold or a temperature on.
  const decisionThreshold = 0.5;
  const positiveClass = positiveClassIndex(ds.classNames);
  let probabilities: number[][];
  {
    const { x, y } = toBatch(held, size, classes, preprocess, 'prepare held-out');
    const out = model.predict(x) as tf.Tensor2D;
    probabilities = (await out.array()) as number[][];
    tf.dispose([x, y, out]);
  }
  const figures = heldOutFigures({
    classNames: ds.classNames,
    positiveClass,
    decisionThreshold,
    probabilities,
    labels: held.map((im) => im.label),
    trainLabels: train.map((im) => im.label),
    bootstrap: params.evaluate.bootstrap,
    seed,
  });
  const datasetVersion = sha256Hex(
    [...train.map((im) => `${im.sha256} ${ds.classNames[im.label]} train`), ...held.map((im) => `${im.sha256} ${ds.classNames[im.label]} held-out`)]
      .sort()
      .join('\n'),
  ).slice(0, 16);
  const written = writeGraphModel({
    model,
    outDir,
    dtype,
    shardBytes: params.export.shard_size_mb * 1024 * 1024,
    caffeNormalisation: true,
    facts: {
      classNames: ds.classNames,
      positiveClass,
      datasetVersion,
      metrics: figures.metrics,
      decisionThreshold,
      temperature: 1,
      evaluation: {
        method: 'quick',
        validationSplit: false,
        calibrated: false,
        grouping: {
          groups: grouping.groups,
          exactRedundantCopies: grouping.exactRedundantCopies,
          nearGroups: grouping.nearGroups,
          nearGroupedImages: grouping.nearGroupedImages,
          labelConflicts: grouping.labelConflicts,
        },
      },
      trainingRunId: `quick-${randomUUID()}`,
      architecture: 'small-vgg (2 conv blocks, flatten, dense softmax)',
      preprocess,
    },
  });
  model.dispose();
  process.stdout.write(
    JSON.stringify({
      modelDir: outDir,
      modelId: written.metadata.modelId,
      backend,
      classes: ds.classNames,
      trainImages: train.length,
      heldOutImages: held.length,
      // At the shipped threshold first; argmax accuracy is the conventional figure beside it.
      heldOut: {
        atThreshold: figures.atThreshold,
        positiveClass: ds.classNames[positiveClass],
        majorityBaseline: figures.baseline,
        argmaxAccuracy: figures.argmaxAccuracy,
        rocAuc: figures.metrics.rocAuc ?? null,
        rocAucCi95: figures.metrics.rocAucCi95 ?? null,
        n: figures.n,
        perClassN: figures.perClassN,
        tooSmallToConclude: figures.tooSmall.length > 0,
        note: figures.tooSmall.length
          ? `fewer than ${MIN_PER_CLASS_TO_CONCLUDE} held-out images of ${figures.tooSmall.map((c) => `${c.className} (${c.count})`).join(', ')}: too small to conclude from`
          : null,
      },
      heldOutAccuracy: figures.argmaxAccuracy,
      majorityBaseline: figures.baseline.accuracy,
      evaluation: 'quick model: no validation split, no calibration',
      groups: grouping,
      rejected: ds.rejected.length,
      // Every file left out, with its refusal code: unreadable or undecodable files, then entries never read.
      rejectedFiles: ds.rejected,
      skipped: ds.skipped,
      weightBytes: written.weightBytes,
    }) + '\n',
  );
}
