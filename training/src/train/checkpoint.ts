/**
 * Per-epoch checkpoints that survive a crash at any instant. Each epoch gets its own directory
 * (head weights + optimizer state); state.json, written atomically after it, is the commit point.
 * A crash before state.json is replaced leaves the previous state pointing at a complete earlier
 * epoch, so a rerun resumes from the last epoch that finished.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { loadModel, saveModel } from '../model/io';

export interface EpochRow {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
}

export interface TrainState {
  /** Hash of everything that makes two runs the same run; a mismatch means start afresh. */
  fingerprint: string;
  /** Last completed epoch (1-based); its weights are in epochDir(epoch). */
  epoch: number;
  history: EpochRow[];
  bestValLoss: number;
  bestEpoch: number;
  /** Epochs since validation loss last improved. */
  sinceBest: number;
  stoppedEarly: boolean;
}

const STATE = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const OPTIMIZER_JSON = 'optimizer.json';

export const epochDir = (dir: string, epoch: number) => join(dir, `epoch-${String(epoch).padStart(4, '0')}`);

export function readState(dir: string): TrainState | undefined {
  const file = join(dir, STATE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TrainState;
  } catch (err) {
    throw new Error(`${file}: unreadable checkpoint state (${(err as Error).message}); delete ${dir} to start afresh`, { cause: err });
  }
}

/** Saves the epoch's weights and optimizer, then commits the state, then drops epochs no longer needed. */
export async function writeCheckpoint(dir: string, state: TrainState, model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const ed = epochDir(dir, state.epoch);
  mkdirSync(ed, { recursive: true });
  await saveModel(model, ed);
  const named = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(named);
  // getWeights hands out fresh tensors (the step count at least); they are ours to free.
  const owned = named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable));
  tf.dispose(owned);
  writeFileAtomic(join(ed, OPTIMIZER_BIN), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
  writeJsonAtomic(join(ed, OPTIMIZER_JSON), specs);
  writeJsonAtomic(join(dir, STATE), state);
  const keep = new Set([epochDir(dir, state.epoch), epochDir(dir, state.bestEpoch)]);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name.startsWith('epoch-') && !keep.has(p)) rmSync(p, { recursive: true, force: true });
  }
}

export const loadEpochModel = (dir: string, epoch: number): Promise<tf.LayersModel> => loadModel(epochDir(dir, epoch));

/** Restores optimizer state (SGD: its step count; Adam: moments too) in the order it was saved. */
export async function loadOptimizerState(dir: string, epoch: number, optimizer: tf.Optimizer): Promise<void> {
  const ed = epochDir(dir, epoch);
  const specs = JSON.parse(readFileSync(join(ed, OPTIMIZER_JSON), 'utf8')) as tf.io.WeightsManifestEntry[];
  const buf = readFileSync(join(ed, OPTIMIZER_BIN));
  const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  await optimizer.setWeights(specs.map((s) => ({ name: s.name, tensor: map[s.name]! })));
  // setWeights copies into its own variables (ref-counted data), so the decoded tensors can go.
  tf.dispose(Object.values(map));
}

export function clearCheckpoints(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
