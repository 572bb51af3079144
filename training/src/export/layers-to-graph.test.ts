/**
 * The exporter's promise: the graph computes what the LayersModel computes (behind the
 * contract's normalisation), and its extra outputs decompose the logits exactly.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCaffe, rng } from '@respidetect/contract';
import { initBackend, tf } from '../backend';
import { loadGraphModelDir } from '../inference/graph-model';
import { buildSmallVgg } from '../quick/small-vgg';
import { writeGraphModel, type ModelFacts } from './write-model';

const facts = (classNames: string[]): ModelFacts => ({
  classNames,
  positiveClass: 0,
  datasetVersion: 'test-dataset',
  metrics: { accuracy: 0.5 },
  decisionThreshold: 0.5,
  temperature: 1,
  trainingRunId: 'test-run',
  architecture: 'test',
});

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const r = rng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * size * size * 3 }, () => Math.round(r() * 255)), [n, size, size, 3]);
}

function gapModel(size: number, classes: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: 'block1_conv1', inputShape: [size, size, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }), biasInitializer: tf.initializers.randomNormal({ seed: 8, stddev: 0.1 }) }));
  m.add(tf.layers.conv2d({ name: 'block1_conv2', filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dropout({ name: 'dropout', rate: 0.5 }));
  m.add(tf.layers.dense({ name: 'predictions', units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 10 }), biasInitializer: tf.initializers.randomNormal({ seed: 11 }) }));
  return m;
}

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'graph-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compare(model: tf.LayersModel, dtype: 'float32' | 'float16' | 'uint8', size: number, classes: string[]) {
  const out = join(dir, `${model.name}-${dtype}`);
  const written = writeGraphModel({ model, outDir: out, dtype, shardBytes: 4096, caffeNormalisation: true, facts: facts(classes) });
  const loaded = await loadGraphModelDir(out);
  const x = randomImages(12, size, 3);
  const expected = tf.tidy(() => model.predict(normalizeCaffe(tf, x)) as tf.Tensor2D);
  const [probs, logits] = loaded.model.execute(x, ['probabilities', 'logits']) as tf.Tensor2D[];
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(probs!, expected))).dataSync()[0]!);
  const agree = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(probs!, 1), tf.argMax(expected, 1)), 'float32')).dataSync()[0]!);
  // Logits, not only probabilities: a softmax near 0 or 1 hides large logit errors. The layers
  // model's logits: its last Dense layer's input, through that layer's kernel and bias without the
  // softmax. logitSpread is how much the first logit varies over the images; a tolerance is only
  // evidence when it is small against that.
  const { logitDiff, logitSpread } = tf.tidy(() => {
    const head = model.getLayer('predictions');
    const features = tf.model({ inputs: model.inputs, outputs: head.input as tf.SymbolicTensor }).predict(normalizeCaffe(tf, x)) as tf.Tensor2D;
    const [kernel, bias] = head.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const want = tf.add(tf.matMul(features, kernel), bias);
    return {
      logitDiff: tf.max(tf.abs(tf.sub(logits!, want))).dataSync()[0]!,
      logitSpread: tf.moments(tf.slice(want, [0, 0], [-1, 1])).variance.sqrt().dataSync()[0]!,
    };
  });
  const result = { written, loaded, x, logits: logits!, maxDiff, agree, out, logitDiff, logitSpread };
  tf.dispose([expected, probs!]);
  return result;
}

describe('graph-model export (Node, graph vs layers)', () => {
  it('float32 flatten head: probabilities equal the LayersModel within 1e-5 and the heatmap sums to the logits', async () => {
    const model = buildSmallVgg(32, 2, 3);
    const { written, loaded, x, logits, maxDiff, agree, out, logitDiff, logitSpread } = await compare(model, 'float32', 32, ['adenocarcinoma', 'normal']);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(agree).toBe(1);
    expect(logitDiff).toBeLessThan(1e-4);
    expect(logitSpread, 'logits barely vary over the images: the comparison would prove nothing').toBeGreaterThan(100 * 1e-4);
    // Fused ops, not the unfused chain.
    const ops = (JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelTopology: { node: { op: string }[] } }).modelTopology.node.map((n) => n.op);
    expect(ops).toContain('_FusedConv2D');
    expect(ops).toContain('_FusedMatMul');
    expect(ops).not.toContain('BiasAdd');
    expect(written.metadata.outputs).toMatchObject({ heatmap: 'heatmap', embedding: 'embedding', logits: 'logits' });
    // A dynamic batch dimension: the browser's Classifier reads it (maxBatch) to batch images; a fixed one runs one at a time.
    expect(loaded.model.inputs[0]!.shape).toEqual([-1, 32, 32, 3]);
    // Flatten head: logits = Σ positions heatmap + bias.
    const [heat, emb] = loaded.model.execute(x, ['heatmap', 'embedding']) as tf.Tensor[];
    expect(heat!.shape).toEqual([12, 8, 8, 2]);
    expect(emb!.shape).toEqual([12, 16]);
    const bias = (model.getLayer('predictions').getWeights()[1] as tf.Tensor1D).dataSync();
    const reconstructed = tf.tidy(() => tf.add(tf.sum(heat!, [1, 2]), tf.tensor1d(Array.from(bias))));
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(reconstructed, logits))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-3);
    tf.dispose([heat!, emb!, reconstructed, logits, x]);
    loaded.model.dispose();
  });

  it('GAP head with dropout: equal within 1e-5, CAM mean + bias = logits', async () => {
    const model = gapModel(24, 3);
    const { loaded, x, logits, maxDiff, agree, logitDiff, logitSpread } = await compare(model, 'float32', 24, ['adenocarcinoma', 'normal', 'squamous_cell_carcinoma']);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(agree).toBe(1);
    expect(logitDiff).toBeLessThan(1e-4);
    expect(logitSpread, 'logits barely vary over the images: the comparison would prove nothing').toBeGreaterThan(100 * 1e-4);
    const heat = loaded.model.execute(x, 'heatmap') as tf.Tensor4D;
    const bias = (model.getLayer('predictions').getWeights()[1] as tf.Tensor1D).dataSync();
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.add(tf.mean(heat, [1, 2]), tf.tensor1d(Array.from(bias))), logits))).dataSync()[0]!);
    expect(err).toBeLessThan(1e-4);
    tf.dispose([heat, logits, x]);
    loaded.model.dispose();
  });

  it('float16 halves the weight bytes and keeps top-1 agreement; uint8 quarters them', async () => {
    const model = buildSmallVgg(32, 2, 5);
    const f32 = await compare(model, 'float32', 32, ['adenocarcinoma', 'normal']);
    const f16 = await compare(model, 'float16', 32, ['adenocarcinoma', 'normal']);
    const u8 = await compare(model, 'uint8', 32, ['adenocarcinoma', 'normal']);
    expect(f16.agree).toBeGreaterThanOrEqual(0.995);
    expect(f16.maxDiff).toBeLessThan(1e-2);
    expect(f16.logitDiff).toBeLessThan(2e-2);
    expect(f16.logitSpread, 'logits barely vary over the images: the comparison would prove nothing').toBeGreaterThan(10 * 2e-2);
    // int32 shape constants stay exact, so the ratio is a hair above 1/2 and 1/4.
    expect(f16.written.weightBytes / f32.written.weightBytes).toBeCloseTo(0.5, 1);
    expect(u8.written.weightBytes / f32.written.weightBytes).toBeLessThan(0.27);
    expect(f16.written.metadata.weightDtype).toBe('float16');
    // The size table export reports equals what each dtype really writes.
    for (const r of [f32, f16, u8]) expect(r.written.weightBytesByDtype).toEqual({ float32: f32.written.weightBytes, float16: f16.written.weightBytes, uint8: u8.written.weightBytes });
    console.log(`graph export logits vs layers: ${JSON.stringify(Object.fromEntries([['float32', f32], ['float16', f16], ['uint8', u8]].map(([k, r]) => [k, { logitDiff: (r as typeof f32).logitDiff, spread: (r as typeof f32).logitSpread }])))}`);
    for (const r of [f32, f16, u8]) {
      tf.dispose([r.x, r.logits]);
      r.loaded.model.dispose();
    }
  });

  it('names shards by content, records every hash, and refuses a tampered shard', async () => {
    const model = buildSmallVgg(32, 2, 6);
    const out = join(dir, 'tamper');
    const { metadata } = writeGraphModel({ model, outDir: out, dtype: 'float32', shardBytes: 8192, caffeNormalisation: true, facts: facts(['adenocarcinoma', 'normal']) });
    const shards = readdirSync(out).filter((f) => f.endsWith('.bin'));
    expect(shards.length).toBeGreaterThan(1);
    expect(Object.keys(metadata.hashes.weights).sort()).toEqual(shards.sort());
    for (const s of shards) expect(s).toContain(metadata.hashes.weights[s]!.slice(0, 16));
    expect(metadata.modelId).toMatch(/^[0-9a-f]{16}$/);
    // Same weights → same id; the id names the bytes.
    const again = writeGraphModel({ model, outDir: join(dir, 'tamper-again'), dtype: 'float32', shardBytes: 8192, caffeNormalisation: true, facts: facts(['adenocarcinoma', 'normal']) });
    expect(again.metadata.modelId).toBe(metadata.modelId);
    const victim = join(out, shards[0]!);
    const bytes = readFileSync(victim);
    bytes[10] = bytes[10]! ^ 0xff;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(victim, bytes);
    await expect(loadGraphModelDir(out)).rejects.toThrow(/sha256 does not match/);
  });

  it('refuses a layer it cannot translate, naming it', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ name: 'odd_conv', inputShape: [8, 8, 3], filters: 2, kernelSize: 3, activation: 'tanh' }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    expect(() => writeGraphModel({ model: m, outDir: join(dir, 'odd'), dtype: 'float32', shardBytes: 4096, caffeNormalisation: true, facts: facts(['a', 'b']) })).toThrow(/odd_conv.*tanh/);
  });
});
