/**
 * The head re-trained on cached features, in the worker with tfjs-core: the loop of Node's
 * training/src/train/fit.ts (seeded per-epoch shuffle, balanced class weights as Keras' weighted
 * mean, validation loss = the contract's nllAtTemperature at T=1, early stopping with patience,
 * best-validation weights restored), started from the deployed head's weights. Every epoch ends
 * with a checkpoint the caller stores, so a reload resumes after the last finished epoch.
 */
// tfjs-core registers no gradients by itself (the app only runs inference elsewhere); training needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { balancedClassWeights, nllAtTemperature, rng, shuffled } from '@respidetect/contract';
import { tf } from '../../inference/backends';

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

export interface HeadCheckpoint {
  epoch: number;
  current: HeadWeights;
  best: HeadWeights & { epoch: number; valLoss: number };
  sinceBest: number;
  stoppedEarly: boolean;
  history: { epoch: number; loss: number; valLoss: number }[];
}

export interface TrainHooks {
  /** After each epoch: persist `state`, report progress. */
  onEpoch(state: HeadCheckpoint, msThisEpoch: number): Promise<void>;
  cancelled(): boolean;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Logits for every row with the given head, on the active backend. */
export async function headLogits(rows: FeatureRows, head: HeadWeights, dim: number, classes: number): Promise<number[][]> {
  if (rows.labels.length === 0) return [];
  const z = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(rows.x, [rows.labels.length, dim]), tf.tensor2d(head.kernel, [dim, classes])), tf.tensor1d(head.bias)));
  try {
    return (await z.array()) as number[][];
  } finally {
    z.dispose();
  }
}

export async function trainHead(
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
    best: { ...init, epoch: 0, valLoss: nllAtTemperature(await headLogits(val, init, dim, k), val.labels, 1) },
    sinceBest: 0,
    stoppedEarly: false,
    history: [],
  };
  const cw = balancedClassWeights(train.labels, k);
  const x = tf.tensor2d(train.x, [n, dim]);
  // A variable shares its initial tensor's data but not its handle: free the handles at once.
  const [kernel, bias] = tf.tidy(() => [tf.variable(tf.tensor2d(state.current.kernel, [dim, k])), tf.variable(tf.tensor1d(state.current.bias))]);
  // A resumed run restarts Adam's moment estimates (they are not checkpointed); the weights are.
  const optimizer = tf.train.adam(s.learningRate);
  try {
    while (!state.stoppedEarly && state.epoch < s.maxEpochs) {
      if (hooks.cancelled()) throw new Cancelled();
      const t0 = performance.now();
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
              return tf.mean(tf.mul(ce, tf.tensor1d(yIdx.map((c) => cw[c]!)))) as tf.Scalar;
            }),
          true,
          [kernel, bias],
        );
        lossSum += (await cost!.data())[0]! * idx.length;
        cost!.dispose();
      }
      const current = { kernel: (await kernel.data()) as Float32Array, bias: (await bias.data()) as Float32Array };
      const valLoss = nllAtTemperature(await headLogits(val, current, dim, k), val.labels, 1);
      const improved = valLoss < state.best.valLoss;
      const sinceBest = improved ? 0 : state.sinceBest + 1;
      state = {
        epoch,
        current,
        best: improved ? { ...current, epoch, valLoss } : state.best,
        sinceBest,
        stoppedEarly: s.patience > 0 && sinceBest >= s.patience,
        history: [...state.history, { epoch, loss: lossSum / n, valLoss }],
      };
      await hooks.onEpoch(state, performance.now() - t0);
      // Let the worker read a cancel message between epochs.
      await new Promise((r) => setTimeout(r, 0));
    }
    return state;
  } finally {
    optimizer.dispose();
    tf.dispose([x, kernel, bias]);
  }
}
