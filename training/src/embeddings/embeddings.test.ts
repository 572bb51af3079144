import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { CHEST_CT_DIR, chestCtPresent, nonCtFile, nonCtPresent } from '../../../testkit/datasets';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend';
import { NO_PREPROCESS, normaliseSource, toRgb } from '@respidetect/contract';
import { decodeImage } from '../data/decode';
import { loadBase, writeBase } from '../model/base-artifact';
import { buildBase, resolveWeights } from '../model/weights';
import { hashFile } from '../util/hash';
import { computeViews } from './compute';
import { extractFeatures } from './index';

const CT_DIR = CHEST_CT_DIR;
// Both sets: the broken image that must fail alone comes from the non-CT set.
const haveCt = chestCtPresent() && nonCtPresent();

const dir = mkdtempSync(join(tmpdir(), 'features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function makeBase(name: string, seed: number): Promise<string> {
  const out = join(dir, name);
  const weights = await resolveWeights('none', { seed });
  const model = await buildBase(weights, 32, seed);
  await writeBase(out, model, { weights: 'none', weightsSha256: weights.hash, imageSize: 32 });
  model.dispose();
  return out;
}

describe.skipIf(!haveCt)(`feature extraction on real CT images (${CT_DIR})`, () => {
  let images: { sha256: string; path: string }[] = [];
  let baseA = '';
  let baseB = '';

  beforeAll(async () => {
    process.env.RESPIDETECT_QUIET = '1';
    await initBackend('wasm');
    baseA = await makeBase('baseA', 1);
    baseB = await makeBase('baseB', 2);
    const paths = ['adenocarcinoma', 'normal'].flatMap((c) => readdirSync(join(CT_DIR, 'train', c)).sort().slice(0, 3).map((f) => join(CT_DIR, 'train', c, f)));
    const hashed = await Promise.all(paths.map(async (path) => ({ path, sha256: await hashFile(path) })));
    // The set holds byte-identical copies; keep one of each.
    images = [...new Map(hashed.map((h) => [h.sha256, h])).values()];
    expect(images.length).toBeGreaterThanOrEqual(3);
  });

  it('computes every view in 2 workers exactly as in-process, caches them, and fails one broken image alone', async () => {
    const cacheDir = join(dir, 'cache');
    const truncated = nonCtFile('edge-cases/truncated.jpg');
    const items = [
      ...images.map((i) => ({ sha256: i.sha256, load: () => decodeImage(i.path) })),
      { sha256: 'f'.repeat(64), load: () => decodeImage(truncated) },
    ];
    const feats = await extractFeatures({ items, baseDir: baseA, views: 2, workers: 2, cacheDir, preprocess: NO_PREPROCESS });
    expect(feats.shape).toEqual([1, 1, 512]);
    expect(feats.computed).toBe(images.length * 3);
    expect(feats.cached).toBe(0);
    expect(feats.failed.map((f) => f.sha256)).toEqual(['f'.repeat(64)]);
    expect(() => feats.get('f'.repeat(64))).toThrow(/failed/);

    const { model, info } = await loadBase(baseA);
    for (const img of images.slice(0, 2)) {
      const px = await decodeImage(img.path);
      const want = computeViews(tf, model, { sha256: img.sha256, rgb: toRgb(px), width: px.width, height: px.height, views: [0, 1, 2] }, info.imageSize);
      for (const v of [0, 1, 2]) {
        const got = feats.get(img.sha256, v);
        expect(got.length).toBe(512);
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[v]![i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[v]![i]!)));
      }
      // Augmented views are different images.
      expect(feats.get(img.sha256, 1)).not.toEqual(feats.get(img.sha256, 0));
      expect(feats.embedding(img.sha256, 0).length).toBe(512);
    }
    model.dispose();

    // Rerun: everything from the cache, same numbers; a changed base (weights hash) recomputes.
    const again = await extractFeatures({ items: items.slice(0, -1), baseDir: baseA, views: 2, workers: 2, cacheDir, preprocess: NO_PREPROCESS });
    expect(again.computed).toBe(0);
    expect(again.cached).toBe(images.length * 3);
    expect(again.get(images[0]!.sha256, 2)).toEqual(feats.get(images[0]!.sha256, 2));
    const other = await extractFeatures({ items: items.slice(0, 1), baseDir: baseB, views: 0, workers: 1, cacheDir, preprocess: NO_PREPROCESS });
    expect(other.computed).toBe(1);
    expect(other.get(images[0]!.sha256)).not.toEqual(feats.get(images[0]!.sha256));

    // Source normalisation on: a new cache entry (never the raw frame's), computed on the normalised image.
    const spec = { bodyCrop: true, intensity: 'body-equalize' } as const;
    const pre = await extractFeatures({ items: items.slice(0, 1), baseDir: baseA, views: 0, workers: 1, cacheDir, preprocess: spec });
    expect(pre.computed).toBe(1);
    const px = await decodeImage(images[0]!.path);
    const norm = normaliseSource({ rgb: toRgb(px), width: px.width, height: px.height }, spec);
    expect(norm.width).toBe(norm.height);
    const base = await loadBase(baseA);
    const want = computeViews(tf, base.model, { sha256: images[0]!.sha256, rgb: norm.rgb, width: norm.width, height: norm.height, views: [0] }, base.info.imageSize)[0]!;
    base.model.dispose();
    const got = pre.get(images[0]!.sha256);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!)));
    expect(got).not.toEqual(feats.get(images[0]!.sha256));
  });
});
