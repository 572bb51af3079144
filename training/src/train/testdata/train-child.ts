/**
 * A head-training process for the crash test to SIGKILL: trains on blobs with checkpoints in
 * argv[2], pausing after each epoch so the kill lands while the run is alive.
 */
import { initBackend } from '../../backend';
import { fitHead } from '../fit';
import { blobs, SHAPE } from './blobs';

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
  onEpochEnd: () => new Promise((r) => setTimeout(r, 250)),
});
