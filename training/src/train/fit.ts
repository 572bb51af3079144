/**
 * Head training on cached features: a plain minibatch loop (tf.Optimizer.minimize) rather than
 * model.fit, because it lets a checkpoint hold exactly what a resumed run needs (weights, optimizer
 * state, history, early-stopping counters) and lets the loss see the logits directly.
 * Shuffling is seeded per epoch, so a run resumed after a crash replays the same batches.
 */
import * as tf from '@tensorflow/tfjs';
import { argmax, balancedClassWeights, nllAtTemperature, rng, shuffled } from '@respidetect/contract';
import { progress } from '../util/progress';
import { buildHead, logitsView, type HeadConfig } from './head';
import { GroupedOptimizer } from './grouped-optimizer';
import { clearCheckpoints, loadEpochModel, loadOptimizerState, readState, writeCheckpoint, type EpochRow, type TrainState } from './checkpoint';

/** Row-major features, one row of `dim` floats per item. */
export interface FeatureMatrix {
  x: Float32Array;
  labels: number[];
}

export interface FitOptions {
  head: HeadConfig;
  optimizer: 'sgd' | 'adam';
  learningRate: number;
  batchSize: number;
  epochs: number;
  patience: number;
  classWeights: boolean;
  checkpointDir: string;
  /** Identifies the data and settings; checkpoints of a different fingerprint are discarded. */
  fingerprint: string;
  onEpochEnd?: (row: EpochRow, state: TrainState) => void | Promise<void>;
  log?: (line: string) => void;
  /**
   * Builds the network to train from scratch; default: the head alone (buildHead(head)). Its
   * input takes rows of head.featureShape and it must have the head's "logits" layer.
   */
  build?: () => tf.LayersModel;
  /** Learning-rate factors by layer name (e.g. block5 layers × 0.1); other layers train at learningRate. */
  layerRates?: Readonly<Record<string, number>>;
}

export interface FitResult {
  /** The head with the best validation-loss weights restored. */
  model: tf.LayersModel;
  logits: tf.LayersModel;
  history: EpochRow[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** The epoch training resumed after (0 for a fresh start). */
  resumedFrom: number;
}

const featureDim = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The balanced class weights now live in the contract (the browser's adaptation uses them too). */
export { balancedClassWeights };

function batchTensor(m: FeatureMatrix, idx: readonly number[], shape: readonly number[]): tf.Tensor {
  const d = featureDim(shape);
  const buf = new Float32Array(idx.length * d);
  idx.forEach((row, k) => buf.set(m.x.subarray(row * d, (row + 1) * d), k * d));
  return tf.tensor(buf, [idx.length, ...shape]);
}

/** Logits for every row, in batches, without training-time behaviour (dropout off). */
export async function predictLogits(logits: tf.LayersModel, m: FeatureMatrix, shape: readonly number[], batchSize = 64): Promise<number[][]> {
  const out: number[][] = [];
  const n = m.labels.length;
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const y = tf.tidy(() => logits.predict(batchTensor(m, idx, shape)) as tf.Tensor);
    out.push(...((await y.array()) as number[][]));
    y.dispose();
  }
  return out;
}

function plainOptimizer(kind: FitOptions['optimizer'], lr: number): tf.Optimizer {
  return kind === 'adam' ? tf.train.adam(lr) : tf.train.sgd(lr);
}

/** One optimizer, or one per distinct rate factor (the model's other layers last, at factor 1). */
function makeOptimizer(o: FitOptions, model: tf.LayersModel): tf.Optimizer {
  const factors = [...new Set(Object.values(o.layerRates ?? {}))].filter((f) => f !== 1);
  if (factors.length === 0) return plainOptimizer(o.optimizer, o.learningRate);
  for (const f of factors) if (!(f > 0)) throw new Error(`layer learning-rate factor must be positive, got ${f}`);
  const varsOf = (layer: string) => model.getLayer(layer).trainableWeights.map((w) => (w.read() as tf.Variable).name);
  const groups = factors.map((f) => ({
    optimizer: plainOptimizer(o.optimizer, o.learningRate * f),
    variables: new Set(Object.entries(o.layerRates!).filter(([, g]) => g === f).flatMap(([layer]) => varsOf(layer))),
  }));
  return new GroupedOptimizer([...groups, { optimizer: plainOptimizer(o.optimizer, o.learningRate), variables: new Set<string>() }]);
}

function checkMatrix(name: string, m: FeatureMatrix, dim: number, k: number): void {
  if (m.x.length !== m.labels.length * dim)
    throw new Error(`${name} features: ${m.x.length} floats do not make ${m.labels.length} rows of ${dim}`);
  m.labels.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new Error(`${name} label ${i} is ${y}, not a class index 0..${k - 1}`);
  });
}

export async function fitHead(train: FeatureMatrix, val: FeatureMatrix, o: FitOptions): Promise<FitResult> {
  const shape = o.head.featureShape;
  const k = o.head.numClasses;
  checkMatrix('train', train, featureDim(shape), k);
  checkMatrix('validation', val, featureDim(shape), k);
  if (train.labels.length === 0) throw new Error('train: no training items');
  if (val.labels.length === 0) throw new Error('train: no validation items (early stopping and calibration need them)');
  const log = o.log ?? (() => undefined);

  let model: tf.LayersModel;
  let optimizer: tf.Optimizer;
  let state: TrainState | undefined = readState(o.checkpointDir);
  if (state && state.fingerprint !== o.fingerprint) {
    log(`checkpoints in ${o.checkpointDir} belong to a different run (data or settings changed); starting afresh`);
    clearCheckpoints(o.checkpointDir);
    state = undefined;
  }
  if (state) {
    model = await loadEpochModel(o.checkpointDir, state.epoch);
    optimizer = makeOptimizer(o, model);
    await loadOptimizerState(o.checkpointDir, state.epoch, optimizer);
    log(`resuming after epoch ${state.epoch} (best so far: epoch ${state.bestEpoch}, val_loss ${state.bestValLoss.toFixed(4)})`);
  } else {
    model = o.build ? o.build() : buildHead(o.head).model;
    optimizer = makeOptimizer(o, model);
    state = { fingerprint: o.fingerprint, epoch: 0, history: [], bestValLoss: Infinity, bestEpoch: 0, sinceBest: 0, stoppedEarly: false };
  }
  const resumedFrom = state.epoch;
  const logitsModel = logitsView(model);
  const vars = logitsModel.trainableWeights.map((w) => w.read() as tf.Variable);
  const cw = o.classWeights ? balancedClassWeights(train.labels, k) : new Array<number>(k).fill(1);

  const n = train.labels.length;
  const batches = Math.ceil(n / o.batchSize);
  const remaining = state.stoppedEarly ? 0 : Math.max(0, o.epochs - state.epoch);
  const bar = progress('train', remaining * batches, 'batches');
  while (!state.stoppedEarly && state.epoch < o.epochs) {
    const epoch: number = state.epoch + 1;
    const order = shuffled(
      Array.from({ length: n }, (_, i) => i),
      rng(o.head.seed * 100_003 + epoch),
    );
    let lossSum = 0;
    let hits = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
      const x = batchTensor(train, idx, shape);
      const yIdx = idx.map((i) => train.labels[i]!);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(yIdx, 'int32'), k));
      const w = tf.tensor1d(yIdx.map((c) => cw[c]!));
      let predicted: number[] = [];
      const cost = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const z = logitsModel.apply(x, { training: true }) as tf.Tensor2D;
            predicted = Array.from(z.argMax(-1).dataSync());
            // Keras' sample-weighted mean: Σ w_i · CE_i / batch size.
            const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), -1));
            return tf.mean(tf.mul(ce, w)) as tf.Scalar;
          }),
        true,
        vars,
      );
      lossSum += (await cost!.data())[0]! * idx.length;
      hits += predicted.filter((p, i) => p === yIdx[i]).length;
      tf.dispose([cost!, x, y, w]);
      bar.tick(1, `epoch ${epoch}/${o.epochs}`);
    }
    const valLogits = await predictLogits(logitsModel, val, shape);
    const row: EpochRow = {
      epoch,
      loss: lossSum / n,
      accuracy: hits / n,
      val_loss: nllAtTemperature(valLogits, val.labels, 1),
      val_accuracy: valLogits.filter((z, i) => argmax(z) === val.labels[i]).length / val.labels.length,
    };
    const improved: boolean = row.val_loss < state.bestValLoss;
    const sinceBest: number = improved ? 0 : state.sinceBest + 1;
    state = {
      ...state,
      epoch,
      history: [...state.history, row],
      bestValLoss: improved ? row.val_loss : state.bestValLoss,
      bestEpoch: improved ? epoch : state.bestEpoch,
      sinceBest,
      stoppedEarly: o.patience > 0 && sinceBest >= o.patience,
    };
    await writeCheckpoint(o.checkpointDir, state, model, optimizer);
    log(
      `epoch ${epoch}: loss ${row.loss.toFixed(4)} acc ${row.accuracy.toFixed(3)} val_loss ${row.val_loss.toFixed(4)} val_acc ${row.val_accuracy.toFixed(3)}` +
        (state.stoppedEarly ? ` — no val_loss improvement for ${o.patience} epochs, stopping` : ''),
    );
    await o.onEpochEnd?.(row, state);
  }
  bar.done();
  optimizer.dispose();

  // Keras' restore_best_weights: ship the epoch with the lowest validation loss.
  let best = model;
  if (state.bestEpoch !== state.epoch && state.bestEpoch > 0) {
    best = await loadEpochModel(o.checkpointDir, state.bestEpoch);
    model.dispose();
  }
  return { model: best, logits: logitsView(best), history: state.history, bestEpoch: state.bestEpoch, stoppedEarly: state.stoppedEarly, resumedFrom };
}
