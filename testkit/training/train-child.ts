/**
 * A head-training process for the crash test to SIGKILL: trains on blobs with checkpoints in
 * argv[2], says `epoch N` on stdout after each checkpoint, and after epoch 3 of 8 holds still, so
 * the kill lands in a live run at a known epoch whatever the machine's load.
 */
import { initBackend } from '../../training/src/backend';
import { fitHead } from '../../training/src/train/fit';
import { blobs, SHAPE } from './blobs';

const KILL_AFTER_EPOCH = 3;

process.env.RESPIDETECT_QUIET = '1';
await initBackend();
await fitHead(blobs(200, 1), blobs(80, 2), {
  head: { head: 'flatten', dropout: 0, numClasses: 2, featureShape: SHAPE, seed: 3 },
  optimizer: 'sgd',
  learningRate: 0.05,
  batchSize: 16,
  epochs: 8,
  patience: 100,
  classWeights: false,
  checkpointDir: process.argv[2]!,
  fingerprint: 'crash-test',
  onEpochEnd: async (_row, state) => {
    process.stdout.write(`epoch ${state.epoch}\n`);
    if (state.epoch === KILL_AFTER_EPOCH) await new Promise(() => undefined);
  },
});
