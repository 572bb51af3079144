/**
 * Batched inference end to end (issue 17, item 4), in Chromium against the real server: with
 * ?batch=4 the worker runs up to 4 images per model run, drawn from consecutive queued files and
 * from the slices of a multi-frame DICOM file, and still reports file by file. The numbers must be
 * the ones a run of one image gives; a corrupt file fails alone; cancel stops what is not in a
 * running batch; no tensor is left behind.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { writeDicom } from '../testkit/dicom/dicom';
import { E2E_CACHE } from '../testkit/paths';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

const FIXTURES = join(E2E_CACHE, 'batch-fixtures');
const BATCH = 4;

interface Hooks {
  memory(): Promise<{ numTensors: number }>;
}
const numTensors = (page: Page) => page.evaluate(async () => (await (globalThis as unknown as { __respidetect: Hooks }).__respidetect.memory()).numTensors);
const pending = (page: Page) => page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])');

interface Row {
  file: string;
  status: string;
  backend: string | null;
  batch: number | null;
  ood: number | null;
  probs: number[];
  error: string | null;
}

async function ready(page: Page, url: string, backend: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('backend')).toHaveText(backend, { timeout: 120_000 });
}

/** Classifies `files` and returns every row once none is queued or running. */
async function classify(page: Page, files: string[]): Promise<Map<string, Row>> {
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('result')).toHaveCount(files.length);
  await expect(pending(page)).toHaveCount(0, { timeout: 120_000 });
  const rows = await page.getByTestId('result').evaluateAll((els) =>
    els.map((el) => ({
      file: el.getAttribute('data-file')!,
      status: el.getAttribute('data-status')!,
      backend: el.getAttribute('data-backend'),
      batch: el.hasAttribute('data-batch') ? Number(el.getAttribute('data-batch')) : null,
      ood: el.hasAttribute('data-ood') ? Number(el.getAttribute('data-ood')) : null,
      probs: Array.from(el.querySelectorAll('[data-testid="prob"]'), (p) => Number(p.getAttribute('data-value'))),
      error: el.querySelector('[data-testid="error"]')?.textContent ?? null,
    })),
  );
  return new Map(rows.map((r) => [r.file, r]));
}

/** Real CT as a 3-frame DICOM file (three different slices, 64 px) and a PNG cut off half-way. */
async function fixtures(): Promise<{ series: string; corrupt: string }> {
  mkdirSync(FIXTURES, { recursive: true });
  const frames = await Promise.all(
    ctFiles(6, false).filter((_, i) => i % 2 === 0).map(async (f) => new Uint8Array(await sharp(f).greyscale().resize(64, 64).raw().toBuffer())),
  );
  const series = join(FIXTURES, 'three-frames.dcm');
  writeFileSync(series, writeDicom({ frames, width: 64, height: 64 }));
  const whole = readFileSync(ctFiles(1, false)[0]!);
  const corrupt = join(FIXTURES, 'cut-off.png');
  writeFileSync(corrupt, whole.subarray(0, whole.length >> 1));
  return { series, corrupt };
}

/** Every pair of shown probabilities and OOD scores agrees within `tol`. */
function expectSameNumbers(a: Map<string, Row>, b: Map<string, Row>, tol: number): number {
  let maxDiff = 0;
  for (const [file, r] of a) {
    if (r.status !== 'done') continue;
    const s = b.get(file)!;
    expect(s.status, file).toBe('done');
    expect(r.probs.length, file).toBeGreaterThan(1);
    expect(s.probs.length, file).toBe(r.probs.length);
    r.probs.forEach((p, k) => (maxDiff = Math.max(maxDiff, Math.abs(p - s.probs[k]!))));
    expect(Math.abs(r.ood! - s.ood!), `${file}: OOD score ${r.ood} vs ${s.ood}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(s.ood!)));
  }
  expect(maxDiff).toBeLessThan(tol);
  return maxDiff;
}

test.describe('batched inference', () => {
  let server: RunningServer;
  test.beforeAll(async () => {
    const { appDir, models } = readState();
    // Model a with OOD statistics: probabilities, the embedding (OOD score) and heatmaps all come out of a batch.
    server = await startServer(assembleSite(appDir, models.ood!));
  });
  test.afterAll(async () => server?.stop());

  test(`WASM ?batch=${BATCH}: a queue of real CT, a 3-frame DICOM and a corrupt file; the same numbers as ?batch=1, the corrupt file fails alone, no leaked tensors`, async ({ page }) => {
    requireChestCt();
    const { series, corrupt } = await fixtures();
    const ct = ctFiles(10, false);
    // The DICOM file first: its 3 slices and the next file fill the first batch; the corrupt file sits mid-queue.
    const files = [series, ...ct.slice(0, 5), corrupt, ...ct.slice(5)];
    const name = (f: string) => f.split('/').pop()!;

    await ready(page, `${server.url}/?backend=wasm&batch=${BATCH}&testHooks=1`, 'wasm');
    const baseline = await numTensors(page);
    const batched = await classify(page, files);
    expect(await numTensors(page)).toBe(baseline);

    const bad = batched.get(name(corrupt))!;
    expect(bad.status).toBe('error');
    expect(bad.error).toMatch(/^cut-off\.png: /);
    const done = [...batched.values()].filter((r) => r.status === 'done');
    expect(done.map((r) => r.file).sort()).toEqual(files.filter((f) => f !== corrupt).map(name).sort());
    for (const r of done) {
      expect(r.backend, r.file).toBe('wasm');
      expect(r.batch, r.file).toBeGreaterThanOrEqual(1);
      expect(r.batch, r.file).toBeLessThanOrEqual(BATCH);
    }
    // Batches really ran: the DICOM's slices went through the model together with the next file.
    expect(batched.get(name(series))!.batch).toBe(BATCH);
    expect(done.filter((r) => r.batch === BATCH).length).toBeGreaterThanOrEqual(8);
    await page.locator(`[data-testid="result"][data-file="${name(series)}"]`).getByRole('button', { name: /View/ }).click();
    await expect(page.getByTestId('slices')).toContainText('3 slices');

    await ready(page, `${server.url}/?backend=wasm&batch=1&testHooks=1`, 'wasm');
    const single = await classify(page, files);
    expect(single.get(name(corrupt))!.status).toBe('error');
    expect([...single.values()].filter((r) => r.status === 'done').every((r) => r.batch === 1)).toBe(true);
    const maxDiff = expectSameNumbers(batched, single, 1e-5);
    console.log(`WASM batch ${BATCH} vs 1: max |Δp| ${maxDiff.toExponential(2)} over ${done.length} files`);
  });

  test(`cancel mid-queue with ?batch=${BATCH}: files in the running batch finish, every other queued file is dropped, tensors return to baseline`, async ({ page }) => {
    requireChestCt();
    await ready(page, `${server.url}/?backend=wasm&batch=${BATCH}&testHooks=1`, 'wasm');
    const baseline = await numTensors(page);
    const files = ctFiles(60, false);
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.locator('[data-testid="result"][data-status="done"]').first()).toBeVisible();
    // In one page task: what is running (in a batch), the click, what it cancelled.
    const atCancel = await page.evaluate(() => {
      const count = (s: string) => document.querySelectorAll(`[data-testid="result"][data-status="${s}"]`).length;
      const before = { done: count('done'), running: count('running') };
      (document.querySelector('[data-testid="cancel"]') as HTMLButtonElement).click();
      return before;
    });
    await expect(pending(page)).toHaveCount(0, { timeout: 60_000 });
    const cancelled = await page.locator('[data-testid="result"][data-status="cancelled"]').count();
    const done = await page.locator('[data-testid="result"][data-status="done"]').count();
    expect(atCancel.running, 'files in the running batch').toBeLessThanOrEqual(BATCH);
    expect(cancelled, 'the click must land while files are still queued').toBeGreaterThan(0);
    // Only the running batch finished after the click; the rest were dropped, none failed.
    expect(done).toBe(atCancel.done + atCancel.running);
    expect(done + cancelled).toBe(files.length);
    expect(await numTensors(page)).toBe(baseline);
  });

  test('a bad ?batch is refused with the reason, not silently ignored', async ({ page }) => {
    await page.goto(`${server.url}/?backend=wasm&batch=0`);
    await expect(page.getByText('?batch=0 is not a batch size; use 1 to 16')).toBeVisible({ timeout: 60_000 });
  });

  test(`WebGL ?batch=${BATCH} (SwiftShader): each file gets what WASM one at a time gives, computed on WebGL in batches`, async ({ page }) => {
    requireChestCt();
    const files = ctFiles(9, false);
    await ready(page, `${server.url}/?backend=wasm&batch=1`, 'wasm');
    const wasm = await classify(page, files);
    await ready(page, `${server.url}/?backend=webgl&batch=${BATCH}&testHooks=1`, 'webgl');
    const baseline = await numTensors(page);
    const webgl = await classify(page, files);
    expect(await numTensors(page)).toBe(baseline);
    for (const r of webgl.values()) expect(r.backend, r.file).toBe('webgl');
    expect([...webgl.values()].filter((r) => r.batch === BATCH).length).toBeGreaterThanOrEqual(8);
    // WebGL's float32 arithmetic differs from WASM's: the tolerance e2e/parity.spec.ts holds WebGL to.
    const maxDiff = expectSameNumbers(webgl, wasm, 1e-4);
    console.log(`WebGL batch ${BATCH} vs WASM batch 1: max |Δp| ${maxDiff.toExponential(2)} over ${files.length} files`);
  });
});
