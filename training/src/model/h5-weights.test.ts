import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { buildVgg16Base, VGG16_BLOCKS, VGG16_LAYER_NAMES } from './vgg16';
import { H5WeightsError, loadKerasH5Weights } from './h5-weights';
import { writeKerasH5, type H5Layer } from './keras-h5-writer';

const dir = mkdtempSync(join(tmpdir(), 'h5w-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ConvSpec { name: string; cin: number; cout: number }
const convs: ConvSpec[] = [];
{
  let cin = 3;
  for (const [b, n, filters] of VGG16_BLOCKS) for (let i = 1; i <= n; i++) { convs.push({ name: `block${b}_conv${i}`, cin, cout: filters }); cin = filters; }
}

/** Every layer its own pattern: a phase and a scale per layer, so any swap of same-shaped layers shows. */
function pattern(layerIndex: number, c: ConvSpec): { kernel: Float32Array; bias: Float32Array } {
  const n = 9 * c.cin * c.cout;
  const scale = Math.sqrt(6 / (9 * c.cin)) * (1 + 0.05 * layerIndex);
  const kernel = new Float32Array(n);
  for (let k = 0; k < n; k++) kernel[k] = scale * Math.sin(k * 0.618 + layerIndex * 1.7 + (k % 7) * 0.3);
  const bias = new Float32Array(c.cout);
  for (let k = 0; k < c.cout; k++) bias[k] = 0.01 * (layerIndex + 1) + 1e-3 * Math.cos(k + layerIndex);
  return { kernel, bias };
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sameBytes = (a: Float32Array, b: Float32Array) => a.length === b.length && bytes(a).equals(bytes(b));

const weights = new Map(convs.map((c, i) => [c.name, pattern(i, c)]));

function kerasLayers(mutate?: (layers: H5Layer[]) => H5Layer[]): H5Layer[] {
  const layers: H5Layer[] = [{ name: 'input_1', weights: [] }];
  for (const name of VGG16_LAYER_NAMES) {
    const c = convs.find((x) => x.name === name);
    const w = weights.get(name);
    layers.push(
      c && w
        ? { name, weights: [{ shape: [3, 3, c.cin, c.cout], data: w.kernel }, { shape: [c.cout], data: w.bias }] }
        : { name, weights: [] },
    );
  }
  return mutate ? mutate(layers) : layers;
}

/** Plain-JS VGG16 forward (same-padded 3x3 conv + ReLU, 2x2 max-pool), HWC, one image. */
function manualForward(input: Float32Array, size: number): Float32Array {
  let x = input;
  let s = size;
  let ch = 3;
  for (const [b, n] of VGG16_BLOCKS) {
    for (let i = 1; i <= n; i++) {
      const c = convs.find((v) => v.name === `block${b}_conv${i}`)!;
      const { kernel, bias } = weights.get(c.name)!;
      const out = new Float32Array(s * s * c.cout);
      for (let y = 0; y < s; y++)
        for (let xx = 0; xx < s; xx++) {
          const acc = new Float64Array(c.cout);
          for (let ky = 0; ky < 3; ky++) {
            const iy = y + ky - 1;
            if (iy < 0 || iy >= s) continue;
            for (let kx = 0; kx < 3; kx++) {
              const ix = xx + kx - 1;
              if (ix < 0 || ix >= s) continue;
              for (let ci = 0; ci < ch; ci++) {
                const v = x[(iy * s + ix) * ch + ci]!;
                const base = ((ky * 3 + kx) * c.cin + ci) * c.cout;
                for (let co = 0; co < c.cout; co++) acc[co]! += v * kernel[base + co]!;
              }
            }
          }
          for (let co = 0; co < c.cout; co++) out[(y * s + xx) * c.cout + co] = Math.max(0, acc[co]! + bias[co]!);
        }
      x = out;
      ch = c.cout;
    }
    const h = s / 2;
    const pooled = new Float32Array(h * h * ch);
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < h; xx++)
        for (let c = 0; c < ch; c++) {
          let m = -Infinity;
          for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) m = Math.max(m, x[((2 * y + dy) * s + 2 * xx + dx) * ch + c]!);
          pooled[(y * h + xx) * ch + c] = m;
        }
    x = pooled;
    s = h;
  }
  return x;
}

describe('Keras .h5 weights loader', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('puts every kernel and bias into the layer of the same name, and the forward pass matches a hand computation', async () => {
    const file = join(dir, 'vgg16_notop.h5');
    await writeKerasH5(file, kerasLayers());
    const size = 32;
    const model = buildVgg16Base({ imageSize: size, seed: 1 });
    const { layers } = await loadKerasH5Weights(model, file);
    expect(layers).toEqual(convs.map((c) => c.name));

    for (const c of convs) {
      const [k, b] = model.getLayer(c.name).getWeights();
      const w = weights.get(c.name)!;
      expect(k!.shape).toEqual([3, 3, c.cin, c.cout]);
      // Byte-for-byte (the loader must not round): deep-equality on 2.4M-element arrays took minutes under load.
      expect(sameBytes(k!.dataSync() as Float32Array, w.kernel), `${c.name} kernel`).toBe(true);
      expect(sameBytes(b!.dataSync() as Float32Array, w.bias), `${c.name} bias`).toBe(true);
    }

    const input = new Float32Array(size * size * 3);
    for (let i = 0; i < input.length; i++) input[i] = 60 * Math.sin(i * 0.13) + 20 * Math.cos(i * 0.031);
    const got = tf.tidy(() => (model.predict(tf.tensor4d(input, [1, size, size, 3])) as tf.Tensor).dataSync());
    const want = manualForward(input, size);
    expect(got.length).toBe(want.length);
    const maxAbs = Math.max(...want.map(Math.abs));
    expect(maxAbs).toBeGreaterThan(0);
    let nonZero = 0;
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-3 * maxAbs);
      if (want[i]! > 0) nonZero++;
    }
    // A forward pass that is mostly zeros would prove little.
    expect(nonZero).toBeGreaterThan(want.length / 10);
    model.dispose();
  }, 180_000);

  it('names the layer and both shapes when a kernel has the wrong shape, and leaves the model untouched', async () => {
    const file = join(dir, 'bad-shape.h5');
    await writeKerasH5(
      file,
      kerasLayers((ls) =>
        ls.map((l) => (l.name === 'block3_conv2' ? { ...l, weights: [{ shape: [3, 3, 256, 128], data: new Float32Array(9 * 256 * 128) }, l.weights[1]!] } : l)),
      ),
    );
    const model = buildVgg16Base({ imageSize: 32 });
    const before = model.getLayer('block1_conv1').getWeights()[0]!.dataSync().slice();
    const err = await loadKerasH5Weights(model, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(H5WeightsError);
    expect((err as Error).message).toContain('bad-shape.h5');
    expect((err as Error).message).toContain('"block3_conv2"');
    expect((err as Error).message).toContain('[3,3,256,128]');
    expect((err as Error).message).toContain('[3,3,256,256]');
    expect(model.getLayer('block1_conv1').getWeights()[0]!.dataSync()).toEqual(before);
    model.dispose();
  });

  it('names a layer that is missing from the file', async () => {
    const file = join(dir, 'missing.h5');
    await writeKerasH5(file, kerasLayers((ls) => ls.filter((l) => l.name !== 'block5_conv3')));
    const model = buildVgg16Base({ imageSize: 32 });
    await expect(loadKerasH5Weights(model, file)).rejects.toThrow(/missing\.h5: layer "block5_conv3" is not in the file/);
    model.dispose();
  });

  it('rejects a file that is not HDF5, naming it', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(dir, 'not-h5.h5');
    writeFileSync(file, 'this is not hdf5');
    const model = buildVgg16Base({ imageSize: 32 });
    await expect(loadKerasH5Weights(model, file)).rejects.toThrow(/not-h5\.h5: /);
    model.dispose();
  });
});
