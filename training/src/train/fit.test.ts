import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { blobs, DIM, SHAPE } from '../../../testkit/training/blobs';
import { readState } from './checkpoint';
import { balancedClassWeights, fitHead, predictLogits, type FitOptions } from './fit';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fit-'));
  dirs.push(d);
  return d;
};

const opts = (checkpointDir: string, over: Partial<FitOptions> = {}): FitOptions => ({
  head: { head: 'flatten', dropout: 0, numClasses: 2, featureShape: SHAPE, seed: 3 },
  optimizer: 'sgd',
  learningRate: 0.05,
  batchSize: 16,
  epochs: 6,
  patience: 100,
  classWeights: false,
  checkpointDir,
  fingerprint: 'test',
  ...over,
});

const weightsOf = async (m: tf.LayersModel) => Promise.all(m.getWeights().map((w) => w.data()));

describe('head training', () => {
  const train = blobs(200, 1);
  const val = blobs(80, 2);

  beforeAll(async () => {
    await initBackend();
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('learns the clusters, keeps the logits pre-softmax, and does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await fitHead(train, val, opts(tmp()));
    expect(r.history).toHaveLength(6);
    expect(r.history.at(-1)!.val_accuracy).toBeGreaterThan(0.85);
    expect(r.history.at(-1)!.val_loss).toBeLessThan(r.history[0]!.val_loss);
    const z = await predictLogits(r.logits, val, SHAPE);
    const p = tf.tidy(() => (r.model.predict(tf.tensor(val.x.subarray(0, DIM), [1, ...SHAPE])) as tf.Tensor).arraySync() as number[][]);
    const e = z[0]!.map(Math.exp);
    expect(p[0]![0]).toBeCloseTo(e[0]! / (e[0]! + e[1]!), 5);
    r.model.dispose();
    // Once the returned model is disposed nothing may remain: no per-batch or per-epoch leak.
    expect(tf.memory().numTensors - before).toBe(0);
  });

  it.each(['sgd', 'adam'] as const)('%s: a run killed after epoch 3 resumes there and ends with the same weights as an unbroken run', async (optimizer) => {
    const whole = await fitHead(train, val, opts(tmp(), { optimizer }));
    const dir = tmp();
    await expect(
      fitHead(train, val, {
        ...opts(dir, { optimizer }),
        onEpochEnd: (row) => {
          if (row.epoch === 3) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(readState(dir)!.epoch).toBe(3);
    const resumed = await fitHead(train, val, opts(dir, { optimizer }));
    expect(resumed.resumedFrom).toBe(3);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const [a, b] = [await weightsOf(whole.model), await weightsOf(resumed.model)];
    if (optimizer === 'sgd') {
      // SGD's state is its weights alone: the resumed run is bit-identical.
      expect(resumed.history).toEqual(whole.history);
      a.forEach((w, i) => expect(Array.from(b[i]!)).toEqual(Array.from(w)));
    } else {
      // Adam restores its bias correction as beta^(t+1) by pow() rather than t float32 products: equal to rounding.
      resumed.history.forEach((h, i) => expect(h.val_loss).toBeCloseTo(whole.history[i]!.val_loss, 5));
      a.forEach((w, i) => w.forEach((v, j) => expect(b[i]![j]!).toBeCloseTo(v, 4)));
    }
    // Only the last and the best epoch stay on disk.
    expect(readdirSync(dir).filter((n) => n.startsWith('epoch-')).length).toBeLessThanOrEqual(2);
  });

  it('a real process SIGKILLed mid-run resumes from its last completed epoch to the unbroken result', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../../testkit/training/train-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const epochOnDisk = () => (existsSync(join(dir, 'state.json')) ? (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { epoch: number }).epoch : 0);
    // The child says when epoch 3's checkpoint is written and then holds: kill it there.
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').includes('epoch 3')) resolve();
      });
      void exited.then((code) => reject(new Error(`train-child exited with ${code} before epoch 3:\n${out}`)));
    });
    child.kill('SIGKILL');
    await exited;
    const killedAt = epochOnDisk();
    expect(killedAt).toBe(3);
    const o = { ...opts(dir), epochs: 8, fingerprint: 'crash-test', learningRate: 0.05 };
    const resumed = await fitHead(train, val, o);
    expect(resumed.resumedFrom).toBe(killedAt);
    const whole = await fitHead(train, val, { ...o, checkpointDir: tmp() });
    expect(resumed.history).toEqual(whole.history);
  }, 90_000);

  it('a changed fingerprint discards old checkpoints instead of resuming them', async () => {
    const dir = tmp();
    await fitHead(train, val, opts(dir, { epochs: 2 }));
    const again = await fitHead(train, val, opts(dir, { epochs: 2, fingerprint: 'other data' }));
    expect(again.resumedFrom).toBe(0);
  });

  it('stops early when validation loss stops improving and restores the best epoch', async () => {
    // A learning rate this large makes the loss bounce, so it stops improving quickly.
    const r = await fitHead(train, val, opts(tmp(), { learningRate: 5, epochs: 30, patience: 2 }));
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(30);
    const best = Math.min(...r.history.map((h) => h.val_loss));
    expect(r.history[r.bestEpoch - 1]!.val_loss).toBe(best);
    expect(r.history.length - r.bestEpoch).toBe(2);
    const z = await predictLogits(r.logits, val, SHAPE);
    const { nllAtTemperature } = await import('@respidetect/contract');
    expect(nllAtTemperature(z, val.labels, 1)).toBeCloseTo(best, 5);
  });

  it('GAP head, dropout and Adam train too', async () => {
    const r = await fitHead(train, val, opts(tmp(), { head: { head: 'gap', dropout: 0.3, numClasses: 2, featureShape: SHAPE, seed: 1 }, optimizer: 'adam', learningRate: 0.01 }));
    expect(r.model.layers.map((l) => l.name)).toEqual(['features', 'head_gap', 'head_dropout', 'logits', 'probabilities']);
    expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
  });

  it('balanced class weights follow n / (k · n_c) and lift the minority class recall', async () => {
    expect(balancedClassWeights([0, 0, 0, 1], 2)).toEqual([4 / 6, 2]);
    const skewed = blobs(200, 5, 0.9);
    const valEven = blobs(200, 6, 0.5);
    const recall1 = async (classWeights: boolean) => {
      const r = await fitHead(skewed, valEven, opts(tmp(), { classWeights, epochs: 3, learningRate: 0.02 }));
      const z = await predictLogits(r.logits, valEven, SHAPE);
      const pos = valEven.labels.map((y, i) => [y, z[i]!] as const).filter(([y]) => y === 1);
      return pos.filter(([, l]) => l[1]! > l[0]!).length / pos.length;
    };
    expect(await recall1(true)).toBeGreaterThan(await recall1(false));
  });
});
