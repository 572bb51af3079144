import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { run as prepareBase } from '../commands/prepare-base';
import { loadBase } from './base-artifact';
import { writeKerasH5, type H5Layer } from './keras-h5-writer';
import { VGG16_BLOCKS, VGG16_LAYER_NAMES } from './vgg16';
import { buildBase, IMAGENET_NOTOP, resolveWeights } from './weights';

const dir = mkdtempSync(join(tmpdir(), 'weights-'));
const h5 = join(dir, 'src', 'vgg16.h5');
let bytes: Buffer;
let server: Server;
let requests = 0;
let base = '';

beforeAll(async () => {
  process.env.RESPIDETECT_QUIET = '1';
  await initBackend('wasm');
  // A real Keras-layout file with small, layer-specific values.
  const layers: H5Layer[] = [{ name: 'input_1', weights: [] }];
  let cin = 3;
  let li = 0;
  for (const name of VGG16_LAYER_NAMES) {
    const block = VGG16_BLOCKS.find(([b]) => name.startsWith(`block${b}_`))!;
    if (name.endsWith('_pool')) {
      layers.push({ name, weights: [] });
      continue;
    }
    const cout = block[2];
    const k = new Float32Array(9 * cin * cout).map((_, i) => 0.05 * Math.sin(i * 0.7 + li));
    layers.push({ name, weights: [{ shape: [3, 3, cin, cout], data: k }, { shape: [cout], data: new Float32Array(cout).fill(0.01 * li) }] });
    cin = cout;
    li++;
  }
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'src'));
  await writeKerasH5(h5, layers);
  bytes = readFileSync(h5);
  server = createServer((req, res) => {
    requests++;
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('model.weights resolution', () => {
  it('downloads imagenet once into the cache, checks its md5, and identifies it by sha256', async () => {
    const md5 = createHash('md5').update(bytes).digest('hex');
    const cacheDir = join(dir, 'cache');
    const source = { url: `${base}/vgg16.h5`, md5 };
    const a = await resolveWeights('imagenet', { cacheDir, source });
    expect(a.path).toBe(join(cacheDir, IMAGENET_NOTOP.file));
    expect(a.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    const before = requests;
    const b = await resolveWeights('imagenet', { cacheDir, source });
    expect(b.hash).toBe(a.hash);
    expect(requests).toBe(before);
  });

  it('refuses a download whose md5 is wrong, and keeps no file', async () => {
    const cacheDir = join(dir, 'cache-bad');
    await expect(resolveWeights('imagenet', { cacheDir, source: { url: `${base}/vgg16.h5`, md5: IMAGENET_NOTOP.md5 } })).rejects.toThrow(/md5/i);
    expect(existsSync(join(cacheDir, IMAGENET_NOTOP.file))).toBe(false);
  });

  it('offline, says where to put the file and how to pass one', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const cacheDir = join(dir, 'cache-offline');
    const err = (await resolveWeights('imagenet', { cacheDir, source: { url: `http://127.0.0.1:${port}/x.h5`, md5: IMAGENET_NOTOP.md5 } }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(join(cacheDir, IMAGENET_NOTOP.file));
    expect(err.message).toContain('--weights');
  });

  it('takes a local path (hashed) and "none" (seeded, reproducible)', async () => {
    const local = await resolveWeights(h5);
    expect(local).toMatchObject({ kind: 'file', path: h5, hash: createHash('sha256').update(bytes).digest('hex') });
    const none = await resolveWeights('none', { seed: 7 });
    expect(none.hash).toBe('none-7');
    const m1 = await buildBase(none, 32, 7);
    const m2 = await buildBase(none, 32, 7);
    const m3 = await buildBase(none, 32, 8);
    const w = (m: tf.LayersModel) => m.getLayer('block5_conv3').getWeights()[0]!.dataSync();
    expect(w(m1)).toEqual(w(m2));
    expect(w(m1)).not.toEqual(w(m3));
    [m1, m2, m3].forEach((m) => m.dispose());
    await expect(resolveWeights(join(dir, 'nope.h5'))).rejects.toThrow(/nope\.h5/);
  });
});

describe('prepare-base', () => {
  it('writes artifacts/base with base.json, and the saved base computes what the loaded .h5 computes', async () => {
    const out = join(dir, 'base');
    await prepareBase(['--params', join(dir, 'no-params.yaml'), '--weights', h5, '--image-size', '32', '--out', out]);
    const { model, info } = await loadBase(out);
    expect(info).toMatchObject({ weights: h5, weightsSha256: createHash('sha256').update(bytes).digest('hex'), imageSize: 32, featureShape: [1, 1, 512] });
    expect(info.layers).toEqual(['input_1', ...VGG16_LAYER_NAMES]);
    const direct = await buildBase(await resolveWeights(h5), 32);
    const x = tf.randomUniform([2, 32, 32, 3], -100, 100, 'float32', 3);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (direct.predict(x) as tf.Tensor).dataSync();
    expect(Math.max(...a)).toBeGreaterThan(0);
    expect(a).toEqual(b);
    tf.dispose([x]);
    model.dispose();
    direct.dispose();
  });
});
