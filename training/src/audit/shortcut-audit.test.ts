import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_PREPROCESS } from '@respidetect/contract';
import { DEFAULT_PARAMS, type Params } from '../config/params';
import { ingest } from '../data/ingest';
import { pixels, put } from '../../../testkit/images/fixtures';
import { SHORTCUT_WARNING, runShortcutAudit } from './shortcut-audit';
import { fitLogistic, predictLogistic } from './logistic';

process.env.RESPIDETECT_QUIET = '1';
const dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 100 images per class from one content distribution; only the size can differ between classes. */
async function dataset(name: string, positiveSize: [number, number]): Promise<Params> {
  const root = join(dir, name);
  for (const [cls, offset, [w, h]] of [
    ['adenocarcinoma', 0, positiveSize],
    ['normal', 1000, [64, 64]],
  ] as const) {
    for (let i = 0; i < 100; i++) {
      const img = await sharp(await pixels(offset + i, 64), { raw: { width: 64, height: 64, channels: 3 } })
        .resize(w, h, { fit: 'fill' })
        .png()
        .toBuffer();
      put(root, `${cls}/${i}.png`, img);
    }
  }
  return { ...DEFAULT_PARAMS, data: { ...DEFAULT_PARAMS.data, source: root, prepared_dir: join(dir, `${name}-prepared`) } };
}

describe('shortcut audit (metadata-only baseline)', () => {
  it('flags a data set whose labels follow the image size, and not one where they do not', async () => {
    const cued = await dataset('size-cued', [80, 60]);
    const { manifest } = await ingest(cued, { reportPath: null, cacheDir: join(dir, 'cache') });
    const audit = await runShortcutAudit(manifest, cued.data.prepared_dir, NO_PREPROCESS, 42);
    expect(audit.n.test).toBeGreaterThanOrEqual(10);
    expect(audit.file.testAuc).toBeGreaterThanOrEqual(0.95);
    expect(audit.warning).toBe(SHORTCUT_WARNING);

    const fair = await dataset('same-size', [64, 64]);
    const fairIngest = await ingest(fair, { reportPath: null, cacheDir: join(dir, 'cache') });
    const control = await runShortcutAudit(fairIngest.manifest, fair.data.prepared_dir, NO_PREPROCESS, 42);
    expect(control.file.testAuc).not.toBeNull();
    expect(control.file.testAuc!).toBeLessThan(0.8);
    expect(control.warning).toBeNull();
    expect(control.failed).toEqual([]);
  });

  it('logistic regression separates what is separable and is deterministic', () => {
    const x = Array.from({ length: 60 }, (_, i) => [i % 2 === 0 ? 1 + (i % 7) / 10 : -1 - (i % 5) / 10, (i * 37) % 11]);
    const y = x.map((_, i) => i % 2 === 0);
    const a = fitLogistic(x, y);
    const p = predictLogistic(a, x);
    expect(p.every((pi, i) => (pi > 0.5) === y[i])).toBe(true);
    expect(fitLogistic(x, y)).toEqual(a);
  });
});
