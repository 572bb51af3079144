/**
 * The head re-trained on cached features (the browser runs it in its inference worker with
 * tfjs-core, whose gradients the caller must register): the loop of Node's
 * training/src/train/fit.ts (seeded per-epoch shuffle, balanced class weights as Keras' weighted
 * mean, validation loss = the contract's nllAtTemperature at T=1, early stopping with patience,
 * best-validation weights restored), started from the deployed head's weights. Every epoch ends
 * with a checkpoint (weights, Adam's state, early-stopping counters) the caller stores, so a run
 * resumed after a reload ends exactly where an unbroken one would.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { balancedClassWeights } from '../eval/class-weights';
import { nllAtTemperature } from '../eval/calibration';
import { rng, shuffled } from '../util/rng';

type Tf = typeof tfc;

export interface FeatureRows {
  /** Row-major [n, dim]. */
  x: Float32Array;
  labels: number[];
}

export interface HeadSettings {
  optimizer: 'adam';
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  seed: number;
}

/** Adam as in the quick path; a small rate because training starts from a working head. */
export const ADAPT_SETTINGS: HeadSettings = { optimizer: 'adam', learningRate: 1e-3, batchSize: 32, maxEpochs: 60, patience: 6, seed: 42 };

export interface HeadWeights {
  kernel: Float32Array;
  bias: Float32Array;
}

/** An optimizer variable (Adam's step count and moments), as plain data for IndexedDB. */
export interface SavedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface HeadCheckpoint {
  epoch: number;
  current: HeadWeights;
  optimizer: SavedTensor[];
  best: HeadWeights & { epoch: number; valLoss: number };
  sinceBest: number;
  stoppedEarly: boolean;
  history: { epoch: number; loss: number; valLoss: number }[];
}

export interface TrainHooks {
  /** After each epoch: persist `state`, report progress, and yield (a worker reads a cancel message then). */
  onEpoch(state: HeadCheckpoint): Promise<void>;
  cancelled(): boolean;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Logits for every row with the given head, on the active backend. */
export async function headLogits(tf: Tf, rows: FeatureRows, head: HeadWeights, dim: number, classes: number): Promise<number[][]> {
  if (rows.labels.length === 0) return [];
  const z = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(rows.x, [rows.labels.length, dim]), tf.tensor2d(head.kernel, [dim, classes])), tf.tensor1d(head.bias)));
  try {
    return (await z.array()) as number[][];
  } finally {
    z.dispose();
  }
}

export async function trainHead(
  tf: Tf,
  train: FeatureRows,
  val: FeatureRows,
  init: HeadWeights,
  dims: { dim: number; classes: number },
  s: HeadSettings,
  hooks: TrainHooks,
  resume?: HeadCheckpoint,
): Promise<HeadCheckpoint> {
  const { dim, classes: k } = dims;
  const n = train.labels.length;
  let state: HeadCheckpoint = resume ?? {
    epoch: 0,
    current: init,
    optimizer: [],
    best: { ...init, epoch: 0, valLoss: nllAtTemperature(await headLogits(tf, val, init, dim, k), val.labels, 1) },
    sinceBest: 0,
    stoppedEarly: false,
    history: [],
  };
  const cw = balancedClassWeights(train.labels, k);
  const x = tf.tensor2d(train.x, [n, dim]);
  // A variable shares its initial tensor's data but not its handle: free the handles at once.
  const [kernel, bias] = tf.tidy(() => [tf.variable(tf.tensor2d(state.current.kernel, [dim, k])), tf.variable(tf.tensor1d(state.current.bias))]);
  const optimizer = tf.train.adam(s.learningRate);
  if (state.optimizer.length) {
    const saved = state.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.values, w.shape) }));
    await optimizer.setWeights(saved);
    tf.dispose(saved.map((w) => w.tensor));
  }
  try {
    while (!state.stoppedEarly && state.epoch < s.maxEpochs) {
      if (hooks.cancelled()) throw new Cancelled();
      const epoch = state.epoch + 1;
      const order = shuffled(
        Array.from({ length: n }, (_, i) => i),
        rng(s.seed * 100_003 + epoch),
      );
      let lossSum = 0;
      for (let b = 0; b * s.batchSize < n; b++) {
        const idx = order.slice(b * s.batchSize, (b + 1) * s.batchSize);
        const yIdx = idx.map((i) => train.labels[i]!);
        const cost = optimizer.minimize(
          () =>
            tf.tidy(() => {
              const xb = tf.gather(x, tf.tensor1d(idx, 'int32'));
              const z = tf.add(tf.matMul(xb, kernel), bias);
              const y = tf.oneHot(tf.tensor1d(yIdx, 'int32'), k);
              // Keras' sample-weighted mean: Σ w_i · CE_i / batch size.
              const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), -1));
              return tf.mean(tf.mul(ce, tf.tensor1d(yIdx.map((c) => cw[c]!)))) as tfc.Scalar;
            }),
          true,
          [kernel, bias],
        );
        lossSum += (await cost!.data())[0]! * idx.length;
        cost!.dispose();
      }
      const current = { kernel: (await kernel.data()) as Float32Array, bias: (await bias.data()) as Float32Array };
      const valLoss = nllAtTemperature(await headLogits(tf, val, current, dim, k), val.labels, 1);
      const named = await optimizer.getWeights();
      const optimizerState = await Promise.all(named.map(async (w) => ({ name: w.name, shape: w.tensor.shape, values: Float32Array.from(await w.tensor.data()) })));
      // getWeights() makes a fresh tensor for the step count ("iter"); the moments are the optimizer's own.
      for (const w of named) if (w.name === 'iter') w.tensor.dispose();
      const improved = valLoss < state.best.valLoss;
      const sinceBest = improved ? 0 : state.sinceBest + 1;
      state = {
        epoch,
        current,
        optimizer: optimizerState,
        best: improved ? { ...current, epoch, valLoss } : state.best,
        sinceBest,
        stoppedEarly: s.patience > 0 && sinceBest >= s.patience,
        history: [...state.history, { epoch, loss: lossSum / n, valLoss }],
      };
      await hooks.onEpoch(state);
    }
    return state;
  } finally {
    optimizer.dispose();
    tf.dispose([x, kernel, bias]);
  }
}
