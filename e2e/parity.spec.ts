/**
 * Training/inference parity, for the life of the project: the probabilities the app shows in
 * Chromium equal what Node computes for the same file with the same model files, through the same
 * contract (decode → RGB → one bilinear resize → graph with the normalisation inside →
 * temperature softmax). Decoding differs (sharp vs the browser's decoders), so this also proves
 * the two decoders agree on these files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseModelMetadata, type PreprocessSpec } from '@respidetect/contract';
import { ctFiles, requireChestCt } from './support/ct-files';
import { nodePredictions } from './support/node-predictions';
import { assembleSite, readState, startServer, type RunningServer } from './support/site';

interface Shown {
  file: string;
  /** The backend that computed this row (data-backend), whatever the page was asked for. */
  backend: string | null;
  probs: Record<string, number>;
}

/**
 * Classifies `files` on `backend` and fails unless every row was computed there: the worker moves
 * to WASM on a lost WebGL context, and a parity run that silently did so would prove nothing.
 */
async function classifyInBrowser(page: Page, url: string, backend: string, files: string[], modelDir: string): Promise<Shown[]> {
  await page.goto(`${url}/?backend=${backend}&testHooks=1`);
  await expect(page.getByTestId('backend')).toContainText(backend);
  await page.getByTestId('file-input').setInputFiles(files);
  const rows = page.getByTestId('result');
  await expect(rows).toHaveCount(files.length);
  await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(files.length, { timeout: 150_000 });
  const shown = await rows.evaluateAll((els) =>
    els.map((el) => ({
      file: el.getAttribute('data-file') ?? '',
      backend: el.getAttribute('data-backend'),
      probs: Object.fromEntries(
        Array.from(el.querySelectorAll('[data-testid="prob"]')).map((p) => [p.getAttribute('data-class') ?? '', Number(p.getAttribute('data-value'))]),
      ),
    })),
  );
  const elsewhere = shown.filter((s) => s.backend !== backend).map((s) => `${s.file} on ${s.backend ?? 'no backend recorded'}`);
  expect(elsewhere, `rows not computed on ${backend} (a lost WebGL context moves the worker to WASM)`).toEqual([]);
  // And the page still says so at the end: no switch after the last row either.
  await expect(page.getByTestId('backend')).toContainText(backend);
  // The active backend is a label; GPU memory is evidence. tfjs uploads a weight to a texture only
  // when a WebGL kernel first reads it, so after a WebGL run the textures hold at least the weights.
  const { gpuBytesAllocated } = await page.evaluate(() =>
    (globalThis as unknown as { __respidetect: { memory(): Promise<{ gpuBytesAllocated: number | null }> } }).__respidetect.memory(),
  );
  const weightBytes = readdirSync(modelDir).filter((f) => f.endsWith('.bin')).reduce((n, f) => n + statSync(join(modelDir, f)).size, 0);
  test.info().annotations.push({ type: 'GPU bytes allocated', description: `${gpuBytesAllocated} (weights on disk: ${weightBytes})` });
  console.log(`parity ${backend}: WebGL texture bytes allocated ${gpuBytesAllocated}, model weights on disk ${weightBytes}`);
  if (backend === 'webgl') expect(gpuBytesAllocated, 'WebGL textures hold less than the model weights: the GPU did not compute this run').toBeGreaterThanOrEqual(weightBytes);
  else expect(gpuBytesAllocated, `${backend} run: no WebGL textures expected`).toBeNull();
  return shown;
}

async function nodeProbabilities(modelDir: string, files: string[]): Promise<Map<string, Record<string, number>>> {
  const results = await nodePredictions(modelDir, files);
  return new Map([...results].map(([f, r]) => [f, r.probs]));
}

/**
 * maxDiff: the largest |Δp| between browser and Node. spread: the standard deviation over images
 * of Node's first-class probability: a tolerance only means something if it is small against how
 * much the probabilities actually vary.
 */
function compare(shown: Shown[], expected: Map<string, Record<string, number>>): { maxDiff: number; unsaturated: number; spread: number } {
  let maxDiff = 0;
  let unsaturated = 0;
  const first: number[] = [];
  for (const s of shown) {
    const e = expected.get(s.file);
    expect(e, `Node has no prediction for ${s.file}`).toBeDefined();
    first.push(Object.values(e!)[0]!);
    for (const [cls, p] of Object.entries(e!)) {
      expect(s.probs[cls], `${s.file}: no probability shown for ${cls}`).toBeDefined();
      maxDiff = Math.max(maxDiff, Math.abs(s.probs[cls]! - p));
      if (p > 0.01 && p < 0.99) unsaturated++;
    }
  }
  const mean = first.reduce((a, b) => a + b, 0) / first.length;
  const spread = Math.sqrt(first.reduce((a, b) => a + (b - mean) ** 2, 0) / first.length);
  return { maxDiff, unsaturated, spread };
}

const preprocessIn = (modelDir: string): PreprocessSpec | undefined =>
  parseModelMetadata(JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'))).preprocess;

/** Whether this Chromium offers a WebGPU adapter (headless with SwiftShader usually does not). */
async function webGpuAdapter(page: Page, url: string): Promise<boolean> {
  // navigator.gpu exists only in secure contexts: ask from our (loopback) origin.
  await page.goto(`${url}/healthz`);
  return page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
}

let server: RunningServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test.describe('training/inference parity', () => {
  for (const backend of ['wasm', 'webgl', 'webgpu'] as const) {
    test(`the CLI-trained model: Chromium ${backend} shows Node's probabilities within 1e-4`, async ({ page }) => {
      test.skip(backend === 'webgpu', 'WebGPU parity is the VGG16 test below (1e-3): GPU float maths is not held to 1e-4');
      requireChestCt();
      const state = readState();
      // A barely trained model on real CT images: probabilities spread out, so a mismatch cannot
      // hide behind saturated 0s and 1s.
      const modelDir = state.models.soft!;
      // Trained with params.yaml's source normalisation, so parity covers the body crop and equalisation too.
      expect(preprocessIn(modelDir)).toEqual({ bodyCrop: true, intensity: 'body-equalize' });
      server = await startServer(assembleSite(state.appDir, modelDir));
      const files = ctFiles(12);
      const shown = await classifyInBrowser(page, server.url, backend, files, modelDir);
      const { maxDiff, unsaturated, spread } = compare(shown, await nodeProbabilities(modelDir, files));
      test.info().annotations.push({ type: 'max |Δp|', description: maxDiff.toExponential(3) });
      console.log(`parity tiny model, ${backend}: max |Δp| ${maxDiff.toExponential(3)} over ${files.length} images (${unsaturated} unsaturated probabilities, spread ${spread.toFixed(3)})`);
      expect(unsaturated, 'too few unsaturated probabilities for a meaningful comparison').toBeGreaterThan(4);
      expect(spread, 'probabilities barely vary: the comparison would prove nothing').toBeGreaterThan(100 * 1e-4);
      expect(maxDiff).toBeLessThan(1e-4);
    });

    test(`VGG16 float16 graph at 64 px: Chromium ${backend} vs Node on 20 real CT images within 1e-3`, async ({ page }) => {
      requireChestCt();
      const state = readState();
      const modelDir = state.models.vgg!;
      // Written without a preprocess field, like every model exported before it existed: those still run as they did.
      expect(preprocessIn(modelDir)).toBeUndefined();
      server = await startServer(assembleSite(state.appDir, modelDir));
      if (backend === 'webgpu') test.skip(!(await webGpuAdapter(page, server.url)), 'this Chromium exposes no WebGPU adapter (e2e/backends.spec.ts tests that path)');
      const files = ctFiles(20);
      const shown = await classifyInBrowser(page, server.url, backend, files, modelDir);
      const { maxDiff, unsaturated, spread } = compare(shown, await nodeProbabilities(modelDir, files));
      test.info().annotations.push({ type: 'max |Δp|', description: maxDiff.toExponential(3) });
      console.log(`parity VGG16 float16 64px, ${backend}: max |Δp| ${maxDiff.toExponential(3)} over ${files.length} images (${unsaturated} unsaturated probabilities, spread ${spread.toFixed(3)})`);
      expect(unsaturated).toBeGreaterThan(10);
      expect(spread, 'probabilities barely vary: the comparison would prove nothing').toBeGreaterThan(10 * 1e-3);
      expect(maxDiff).toBeLessThan(1e-3);
    });
  }
});
