/**
 * Node's model loader checks metadata.json against the graph it loads (the contract's
 * verifyGraphAgainstMetadata), as the browser's does: a real exported graph, its metadata.json edited.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelMetadata } from '@respidetect/contract';
import { initBackend, tf } from '../backend';
import { writeGraphModel } from '../export/write-model';
import { loadGraphModelDir } from './graph-model';

let dir: string;
let modelDir: string;
let original: string;

beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'graph-meta-'));
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: 'block1_conv1', inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ name: 'predictions', units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  modelDir = join(dir, 'model');
  writeGraphModel({
    model: m,
    outDir: modelDir,
    dtype: 'float32',
    shardBytes: 4096,
    caffeNormalisation: true,
    facts: { classNames: ['adenocarcinoma', 'normal'], positiveClass: 0, datasetVersion: 'd', metrics: { accuracy: 0.5 }, decisionThreshold: 0.5, temperature: 1, trainingRunId: 'r', architecture: 'test' },
  });
  original = readFileSync(join(modelDir, 'metadata.json'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads the model with metadata.json edited by `edit` (metadata.json carries the hashes; nothing hashes it). */
async function loadEdited(edit: (m: ModelMetadata) => void): Promise<string> {
  const meta = JSON.parse(original) as ModelMetadata;
  edit(meta);
  writeFileSync(join(modelDir, 'metadata.json'), JSON.stringify(meta));
  try {
    const { model } = await loadGraphModelDir(modelDir);
    model.dispose();
    return 'loaded';
  } catch (e) {
    return (e as Error).message;
  } finally {
    writeFileSync(join(modelDir, 'metadata.json'), original);
  }
}

describe('loadGraphModelDir checks metadata.json against the graph', () => {
  it('loads the export as written', async () => {
    expect(await loadEdited(() => undefined)).toBe('loaded');
  });

  it('refuses 5 class names for 2 probabilities, naming classNames', async () => {
    const msg = await loadEdited((m) => {
      m.classNames = ['a', 'b', 'c', 'd', 'e'];
    });
    expect(msg).toBe(`This model's metadata.json is inconsistent: classNames has 5 names but the graph's probabilities output ("probabilities") has 2 values per image`);
  });

  it('refuses an output name the graph does not have', async () => {
    expect(await loadEdited((m) => (m.outputs.logits = 'scores'))).toMatch(/^This model's metadata\.json is inconsistent: outputs\.logits is "scores", which is not an output of the graph/);
  });

  it('refuses OOD statistics of another width than the embedding output', async () => {
    const msg = await loadEdited((m) => {
      m.outputs.embedding = 'embedding';
      m.ood = { mean: [0, 0, 0], components: [[1, 0, 0]], variances: [1], threshold: 2 };
    });
    expect(msg).toMatch(/^This model's metadata\.json is inconsistent: ood\.mean has 3 entries but the graph's embedding output \("embedding"\) has 4$/);
  });
});
