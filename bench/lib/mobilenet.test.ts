import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareInput, type DecodedPixels } from '@respidetect/contract';
import { tf } from '../../training/src/backend';
import { FEATURE_WIDTH, INPUT_SIZE, loadMobileNetFeatures, type FeatureExtractor } from './mobilenet';

/** A grey disc (a "body") of radius r on black, 300×260 so the resize to 224 px really runs. */
function disc(r: number, grey: number): DecodedPixels {
  const width = 300;
  const height = 260;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - 150) ** 2 + (y - 130) ** 2 < r * r) data[y * width + x] = grey;
  return { data, width, height, channels: 1 };
}

describe('nsfwjs MobileNetV2 as a frozen feature extractor', () => {
  let fx: FeatureExtractor;
  beforeAll(async () => {
    fx = await loadMobileNetFeatures();
  });
  afterAll(() => fx?.dispose());

  it('gives one 1280-wide, finite, non-negative (ReLU6, pooled) row per image, and different images differ', async () => {
    const batch = tf.concat([prepareInput(tf, disc(60, 200), INPUT_SIZE), prepareInput(tf, disc(110, 90), INPUT_SIZE)]) as Parameters<FeatureExtractor['features']>[0];
    const [a, b] = await fx.features(batch);
    batch.dispose();
    for (const row of [a!, b!]) {
      expect(row).toHaveLength(FEATURE_WIDTH);
      expect(row.every((v) => Number.isFinite(v) && v >= 0 && v <= 6)).toBe(true);
      expect(row.some((v) => v > 0)).toBe(true);
    }
    let diff = 0;
    for (let i = 0; i < FEATURE_WIDTH; i++) diff += Math.abs(a![i]! - b![i]!);
    expect(diff / FEATURE_WIDTH).toBeGreaterThan(0.01);
  });

  it('refuses an input that is not 224 px RGB', async () => {
    const small = tf.zeros([1, 64, 64, 3]) as Parameters<FeatureExtractor['features']>[0];
    await expect(fx.features(small)).rejects.toThrow(/not n×224×224×3/);
    small.dispose();
  });
});
