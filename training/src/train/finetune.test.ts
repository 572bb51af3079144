/**
 * Fine-tuning block5 end to end at 32 px (block4_pool 2×2×512 → block5 → 1×1×512 → head): real
 * generated images through ingest, a seeded VGG16 base, block4_pool features from the worker
 * cache, the train stage with checkpoints, then the exporter's graph of base[..block4_pool] +
 * fine-tuned block5 + head against the layers network.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCaffe, rng } from '@respidetect/contract';
import { initBackend, tf } from '../backend';
import { DEFAULT_PARAMS, preprocessSpec, type Params } from '../config/params';
import { ingest } from '../data/ingest';
import { loadManifest, readPrepared } from '../data/prepared';
import type { Predictions } from '../eval/report';
import { writeGraphModel } from '../export/write-model';
import { extractFeatures } from '../embeddings';
import { truncateBase } from '../embeddings/split';
import { loadGraphModelDir } from '../inference/graph-model';
import { loadBase, writeBase } from '../model/base-artifact';
import { loadModel } from '../model/io';
import { buildBase, resolveWeights } from '../model/weights';
import { hashFile } from '../util/hash';
import { fineTunedEmbeddings, fineTunePlan, joinBaseAndHead } from './finetune';
import { GroupedOptimizer } from './grouped-optimizer';
import { logitsView } from './head';
import { stagePaths, type HeadInfo } from './outputs';
import { runTrainStage } from './stage';

const work = mkdtempSync(join(tmpdir(), 'finetune-'));
const dataset = join(work, 'dataset');
const baseDir = join(work, 'base');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BLOCK5 = ['block5_conv1', 'block5_conv2', 'block5_conv3'];

const params = (over: Partial<Params['train']> = {}): Params => ({
  ...DEFAULT_PARAMS,
  data: { ...DEFAULT_PARAMS.data, source: dataset, split_ratios: { train: 0.5, val: 0.25, test: 0.25 }, seed: 7, prepared_dir: join(work, 'prepared') },
  model: { ...DEFAULT_PARAMS.model, weights: 'none', image_size: 32, fine_tune_from: 'block5' },
  train: { ...DEFAULT_PARAMS.train, epochs: 3, batch_size: 8, optimizer: 'adam', learning_rate: 1e-3, augment: true, augment_views: 1, early_stopping_patience: 100, workers: 1, ...over },
});

const weightsOf = (m: tf.LayersModel, layers: string[]) => layers.flatMap((n) => m.getLayer(n).getWeights().map((w) => w.dataSync().slice()));
function maxAbsDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  let m = 0;
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]! - b[i]![j]!));
  });
  return m;
}

describe('fine-tuning block5', () => {
  beforeAll(async () => {
    process.env.RESPIDETECT_QUIET = '1';
    process.env.RESPIDETECT_FEATURES_DIR = join(work, 'features');
    await initBackend('wasm');
    // Two learnable classes: bright discs vs dark textured squares, each image distinct.
    for (const [cls, n] of [['adenocarcinoma', 12], ['normal', 12]] as const) {
      mkdirSync(join(dataset, cls), { recursive: true });
      for (let i = 0; i < n; i++) {
        const px = Buffer.alloc(48 * 48 * 3);
        for (let y = 0; y < 48; y++)
          for (let x = 0; x < 48; x++) {
            const r = Math.hypot(x - 24 - (i % 5), y - 24 + (i % 3));
            const v = cls === 'normal' ? (r < 10 + i ? 220 : 30) : (x * (i + 3) + y * 7 + ((x * y) % (i + 2)) * 31) % 256;
            px.fill(v, (y * 48 + x) * 3, (y * 48 + x) * 3 + 3);
          }
        await sharp(px, { raw: { width: 48, height: 48, channels: 3 } }).png().toFile(join(dataset, cls, `${cls}-${i}.png`));
      }
    }
    await ingest(params(), { reportPath: null, cacheDir: join(work, 'cache') });
    const weights = await resolveWeights('none', { seed: 5 });
    const base = await buildBase(weights, 32, 5);
    await writeBase(baseDir, base, { weights: 'none', weightsSha256: weights.hash, imageSize: 32 });
    base.dispose();
  }, 120_000);

  it('trains block5 + head from block4_pool features, leaves blocks 1–4 alone, resumes, and exports the fine-tuned network', async () => {
    const baseHash = await hashFile(join(baseDir, 'weights.bin'));
    const { model: base } = await loadBase(baseDir);
    const base5 = weightsOf(base, BLOCK5);

    // An unbroken 3-epoch run, measured for leaks.
    const whole = stagePaths(join(work, 'whole'), join(work, 'whole-metrics'));
    const before = tf.memory().numTensors;
    const a = await runTrainStage(params(), { baseDir, paths: whole, log: () => undefined });
    const tuned5 = weightsOf(a.fit.model, BLOCK5);
    a.fit.model.dispose();
    expect(tf.memory().numTensors - before, 'tensors left after the stage (its returned model disposed)').toBe(0);

    expect(a.failed).toEqual([]);
    expect(a.info.fineTuneFrom).toBe('block5');
    expect(a.info.fineTuneLearningRate).toBeCloseTo(1e-4, 12);
    expect(a.info.featureShape).toEqual([2, 2, 512]);
    expect(a.fit.history).toHaveLength(3);
    expect(a.fit.history.at(-1)!.loss).toBeLessThan(a.fit.history[0]!.loss);
    // block5 moved; blocks 1–4 are not in the trained network and the base on disk is untouched.
    expect(maxAbsDiff(tuned5, base5)).toBeGreaterThan(1e-6);
    const saved = await loadModel(whole.head);
    expect(saved.layers.map((l) => l.name)).toEqual(['features', 'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool', 'head_flatten', 'logits', 'probabilities']);
    expect(await hashFile(join(baseDir, 'weights.bin'))).toBe(baseHash);
    const head = JSON.parse(readFileSync(whole.headJson, 'utf8')) as HeadInfo;
    expect(head.fineTuneFrom).toBe('block5');

    // Killed after epoch 2 (simulated by a 2-epoch run), then rerun with 3: same weights as unbroken.
    const broken = stagePaths(join(work, 'broken'), join(work, 'broken-metrics'));
    (await runTrainStage(params({ epochs: 2 }), { baseDir, paths: broken, log: () => undefined })).fit.model.dispose();
    const b = await runTrainStage(params(), { baseDir, paths: broken, log: () => undefined });
    expect(b.fit.resumedFrom).toBe(2);
    expect(b.fit.history.map((h) => h.loss)).toEqual(a.fit.history.map((h) => h.loss));
    expect(maxAbsDiff(weightsOf(b.fit.model, [...BLOCK5, 'logits']), weightsOf(saved, [...BLOCK5, 'logits']))).toBeLessThan(1e-6);
    b.fit.model.dispose();

    // predictions.json holds the fine-tuned network's logits on block4_pool features.
    const pred = JSON.parse(readFileSync(whole.predictions, 'utf8')) as Predictions;
    const prepared = params().data.prepared_dir;
    const feats = await extractFeatures({
      preprocess: preprocessSpec(params()),
      items: pred.test.sha256.map((sha256) => ({ sha256, load: () => readPrepared(prepared, sha256) })),
      baseDir,
      views: 0,
      workers: 1,
      upTo: 'block4_pool',
    });
    expect(feats.computed).toBe(0);
    const z = tf.tidy(() => (logitsView(saved).predict(tf.stack(pred.test.sha256.map((s) => tf.tensor(feats.get(s), [2, 2, 512])))) as tf.Tensor).arraySync() as number[][]);
    expect(maxAbsDiff(z, pred.test.logits)).toBeLessThan(1e-5);

    // The exporter's chain: base[..block4_pool] + fine-tuned block5 + head, as one graph.
    const layers = joinBaseAndHead(base, saved);
    expect(layers.filter((l) => l.name === 'block5_conv1')).toEqual([saved.getLayer('block5_conv1')]);
    const out = join(work, 'graph');
    writeGraphModel({
      model: { layers: layers.filter((l) => l.getClassName() !== 'InputLayer'), inputShape: base.inputs[0]!.shape },
      outDir: out,
      dtype: 'float32',
      shardBytes: 1 << 22,
      caffeNormalisation: true,
      facts: { classNames: head.classNames, positiveClass: head.positiveClass, datasetVersion: head.datasetVersion, metrics: { accuracy: 0.5 }, decisionThreshold: 0.5, temperature: 1, trainingRunId: 'test', architecture: 'test' },
    });
    const graph = await loadGraphModelDir(out);
    const r = rng(11);
    const x = tf.tensor4d(Float32Array.from({ length: 6 * 32 * 32 * 3 }, () => Math.round(r() * 255)), [6, 32, 32, 3]);
    const trunk = truncateBase(tf, base, 'block4_pool');
    const [expected, expectedEmb] = tf.tidy(() => {
      const f4 = trunk.predict(normalizeCaffe(tf, x)) as tf.Tensor4D;
      const rows = tf.unstack(f4).map((t) => t.dataSync() as Float32Array);
      return [saved.predict(f4) as tf.Tensor2D, tf.tensor2d(Float32Array.from(fineTunedEmbeddings(saved, fineTunePlan('block5')!, rows, [2, 2, 512]).flatMap((e) => [...e])), [6, 512])];
    });
    const [probs, emb] = graph.model.execute(x, ['probabilities', 'embedding']) as tf.Tensor[];
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(diff(probs!, expected!)).toBeLessThan(1e-5);
    expect(diff(emb!, expectedEmb!)).toBeLessThan(1e-4);
    tf.dispose([x, probs!, emb!, expected!, expectedEmb!]);
    graph.model.dispose();
    saved.dispose();
    base.dispose();
    expect(loadManifest(prepared).classes).toEqual(head.classNames);
  }, 120_000);
});

describe('GroupedOptimizer', () => {
  it('steps each group at its own rate and round-trips its state through getWeights/setWeights', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const one = tf.ones([3]);
    const slow = tf.variable(one, true, 'go_slow');
    const fast = tf.variable(one, true, 'go_fast');
    one.dispose();
    const make = () => new GroupedOptimizer([
      { optimizer: tf.train.sgd(0.01), variables: new Set(['go_slow']) },
      { optimizer: tf.train.adam(0.1), variables: new Set() },
    ]);
    const opt = make();
    const loss = () => tf.tidy(() => tf.add(tf.sum(tf.square(slow)), tf.sum(tf.square(fast))) as tf.Scalar);
    opt.minimize(loss, false, [slow, fast]);
    // SGD on x²: x − 0.01·2x = 0.98; Adam's first step is lr·sign(grad): 1 − 0.1 = 0.9.
    expect(Array.from(slow.dataSync())).toEqual(new Array(3).fill(0.98).map((v) => Math.fround(v)));
    expect(fast.dataSync()[0]).toBeCloseTo(0.9, 5);
    const ws = await opt.getWeights();
    expect(ws.map((w) => w.name).filter((n) => n.startsWith('g0/'))).toHaveLength(1);
    expect(ws.some((w) => w.name.startsWith('g1/') && w.name.endsWith('/m'))).toBe(true);
    const copy = make();
    await expect(copy.setWeights(ws.filter((w) => w.name.startsWith('g0/')))).rejects.toThrow(/no weights for group 1/);
    const restored = make();
    await restored.setWeights(ws);
    const again = await restored.getWeights();
    expect(again.map((w) => w.name)).toEqual(ws.map((w) => w.name));
    for (const [i, w] of again.entries()) expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(ws[i]!.tensor.dataSync()));
    // getWeights hands out fresh step-count scalars (the moments are the optimizer's own variables).
    tf.dispose([...ws, ...again].map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
    [opt, copy, restored].forEach((o) => o.dispose());
    tf.dispose([slow, fast]);
    expect(tf.memory().numTensors - before).toBe(0);
  });
});
