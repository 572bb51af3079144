/**
 * `train --data <folder>`: the one-shot path from a folder of class subfolders to a deployable
 * graph model, with a small VGG-style network. It holds out a deterministic fifth of the images
 * (by content hash) and reports accuracy on those only. The full VGG16 pipeline is
 * `npm run pipeline`; this is for trying the app end to end in a minute.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { normalizeCaffe, prepareInput, positiveClassIndex, rng, shuffled, type PreprocessSpec, type WeightDtype } from '@respidetect/contract';
import { initTrainingBackend, tf } from '../backend';
import { parseCommandArgs } from '../cli/args';
import { loadParams, preprocessSpec } from '../config/params';
import { writeGraphModel } from '../export/write-model';
import { readClassFolders, type LabelledImage } from '../quick/folder-dataset';
import { buildSmallVgg } from '../quick/small-vgg';
import { sha256Hex } from '../util/hash';
import { progress } from '../util/progress';

function toBatch(images: LabelledImage[], size: number, classes: number, preprocess: PreprocessSpec): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.concat(images.map((im) => normalizeCaffe(tf, prepareInput(tf, im.pixels, size, preprocess)))) as tf.Tensor4D;
    const y = tf.oneHot(
      tf.tensor1d(
        images.map((im) => im.label),
        'int32',
      ),
      classes,
    ) as tf.Tensor2D;
    return { x, y };
  });
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
  for (const r of ds.rejected) process.stderr.write(`skipped ${r.path}: ${r.reason}\n`);
  if (ds.images.length < 4) throw new Error(`${dataDir}: only ${ds.images.length} readable images; need at least 4`);

  // Every fifth image in content-hash order is held out: renaming or reordering files changes nothing.
  const byHash = [...ds.images].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
  const held = byHash.filter((_, i) => i % 5 === 0);
  const train = byHash.filter((_, i) => i % 5 !== 0);
  const classes = ds.classNames.length;

  const model = buildSmallVgg(size, classes, seed);
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const rand = rng(seed);
  const bar = progress('train', epochs, 'epochs');
  // Prepared once; each epoch only reorders them (a seeded shuffle, so runs repeat exactly).
  const all = toBatch(train, size, classes, preprocess);
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

  let accuracy: number;
  {
    const { x, y } = toBatch(held, size, classes, preprocess);
    const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor2D, 1));
    const truth = tf.tidy(() => tf.argMax(y, 1));
    const p = Array.from(await pred.data());
    const t = Array.from(await truth.data());
    accuracy = p.reduce((n, v, i) => n + (v === t[i] ? 1 : 0), 0) / p.length;
    tf.dispose([x, y, pred, truth]);
  }
  const majority = Math.max(...ds.classNames.map((_, k) => held.filter((im) => im.label === k).length)) / held.length;
  const datasetVersion = sha256Hex(
    ds.images
      .map((im) => `${im.sha256} ${ds.classNames[im.label]}`)
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
      positiveClass: positiveClassIndex(ds.classNames),
      datasetVersion,
      metrics: { accuracy, baselineAccuracy: majority, testCount: held.length },
      decisionThreshold: 0.5,
      temperature: 1,
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
      heldOutAccuracy: accuracy,
      majorityBaseline: majority,
      rejected: ds.rejected.length,
      weightBytes: written.weightBytes,
    }) + '\n',
  );
}
