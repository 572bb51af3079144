/**
 * The browser's adaptation writes a model by replacing the head's tensors in an exported graph
 * (the contract's locateHead + rewriteWeights). Here, on a real export: the rewritten folder passes
 * Node's verifier, loads, and computes logits = features · W + b with the new head (the heatmap
 * follows it), and the base's shards are byte-identical to the parent's.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateHead, parseModelMetadata, rewriteWeights, rng, type GraphModelJson } from '@respidetect/contract';
import { initBackend, tf } from '../backend';
import { loadGraphModelDir } from '../inference/graph-model';
import { readVerifiedModelDir, verifyModelDir } from '../inference/model-dir';
import { buildSmallVgg } from '../quick/small-vgg';
import { writeGraphModel } from './write-model';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'adapted-head-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('adapted head written into an exported graph', () => {
  it('verifies, loads, and computes the new head exactly; untouched shards keep their bytes', async () => {
    const parentDir = join(dir, 'parent');
    const facts = { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, datasetVersion: 'd', metrics: { accuracy: 0.5 }, decisionThreshold: 0.5, temperature: 1, trainingRunId: 'r', architecture: 'small' };
    writeGraphModel({ model: buildSmallVgg(32, 2, 3), outDir: parentDir, dtype: 'float16', shardBytes: 1024, caffeNormalisation: true, facts });
    const parent = readVerifiedModelDir(parentDir);
    const modelJson = parent.modelJson as unknown as GraphModelJson;
    const head = locateHead(modelJson, parent.metadata.outputs);
    expect(head.heatmapWeights).not.toBeNull();

    const r = rng(5);
    const kernel = Float32Array.from({ length: head.dim * head.classes }, () => r() - 0.5);
    const bias = Float32Array.from({ length: head.classes }, () => r() - 0.5);
    const written = rewriteWeights(
      modelJson,
      parent.weightData,
      new Map([
        [head.kernel, kernel],
        [head.bias, bias],
        [head.heatmapWeights!, kernel],
      ]),
      1024,
      'test',
    );
    const out = join(dir, 'adapted');
    mkdirSync(out);
    for (const s of written.shards) writeFileSync(join(out, s.fileName), s.bytes);
    writeFileSync(join(out, 'model.json'), written.modelJsonText);
    const meta = parseModelMetadata({
      ...parent.metadata,
      modelId: written.modelId,
      hashes: { modelJson: written.modelJsonSha256, weights: Object.fromEntries(written.shards.map((s) => [s.fileName, s.sha256])) },
    });
    writeFileSync(join(out, 'metadata.json'), JSON.stringify(meta));
    verifyModelDir(out);
    expect(written.modelId).not.toBe(parent.metadata.modelId);
    // The head is at the end of the stream: the shards before it hold the parent's bytes.
    const parentShards = Object.values(parent.metadata.hashes.weights);
    expect(written.shards.slice(0, 2).map((s) => s.sha256)).toEqual(parentShards.slice(0, 2));
    expect(written.shards.length).toBeGreaterThan(2);

    const before = await loadGraphModelDir(parentDir);
    const after = await loadGraphModelDir(out);
    const x = tf.tidy(() => tf.randomUniform([6, 32, 32, 3], 0, 255, 'float32', 9));
    const features = before.model.execute(x, head.features) as tf.Tensor2D;
    const [logits, heat] = after.model.execute(x, ['logits', 'heatmap']) as tf.Tensor[];
    const want = tf.tidy(() => tf.add(tf.matMul(features, tf.tensor2d(kernel, [head.dim, head.classes])), tf.tensor1d(bias)));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(logits!, want))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-4);
    const spread = tf.tidy(() => tf.moments(tf.slice(want, [0, 0], [-1, 1])).variance.sqrt().dataSync()[0]!);
    expect(spread, 'logits must vary for the comparison to mean anything').toBeGreaterThan(1e-2);
    // Flatten head: the heatmap sums to the logits minus the bias, with the new kernel.
    const heatErr = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.add(tf.sum(heat!, [1, 2]), tf.tensor1d(bias)), logits!))).dataSync()[0]!);
    expect(heatErr).toBeLessThan(1e-3);
    tf.dispose([x, features, logits!, heat!, want]);
    before.model.dispose();
    after.model.dispose();

    // A changed byte in the rewritten head shard is caught by the same verifier.
    const last = written.shards[written.shards.length - 1]!;
    const bad = last.bytes.slice();
    bad[0] = bad[0]! ^ 1;
    writeFileSync(join(out, last.fileName), bad);
    expect(() => verifyModelDir(out)).toThrow(/sha256|shard/i);
  });
});
