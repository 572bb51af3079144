/**
 * The classification app end to end, in Chromium against the real server and a CLI-trained model:
 * a mixed batch where each bad file fails alone with its reason, DICOM, privacy (no requests while
 * classifying), tensor leaks, backend choice, cancel, model card, a11y basics.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { IQ_OTHNCCD_DIR, iqOthnccdPresent } from '../testkit/datasets';
import { rng, syntheticPixels, writeSyntheticSet } from '../testkit/images/synthetic';
import { greyToHu, uid as dicomUid, writeDicom } from '../testkit/dicom/dicom';
import { ctSlice } from '../testkit/dicom/scanner-dicom';
import { E2E_CACHE, NON_CT_DIR } from '../testkit/paths';
import { nonCtFile, nonCtPresent } from '../testkit/datasets';
import { attachToWorker } from '../testkit/browser/worker-cdp';
import { nodePredictions } from '../testkit/browser/node-predictions';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';
import { callHook, numTensors } from '../testkit/browser/hooks';

const FIXTURES = join(E2E_CACHE, 'app-fixtures');

const loseContext = (page: Page) => callHook(page, 'loseContext');

async function ready(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
}

/**
 * A synthetic set's files under names unique across classes (class-<name>): rows are found by file
 * name, and a/0.png and b/0.png would be two rows with one name.
 */
function uniquelyNamed(set: Record<string, string[]>, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(set).flatMap(([cls, files]) =>
    files.map((f) => {
      const to = join(dir, `${cls}-${f.split('/').pop()!}`);
      cpSync(f, to);
      return to;
    }),
  );
}

/** How many times the idle page's click latency a queue of 450 files may cost (measured on an idle 2-core machine: idle 8 ms, queued 146 ms, bound then 1 s). */
const IDLE_FACTOR = 8;

/** Clicks "Model card" and resolves when its page has rendered: the latency a user feels, in ms. */
const clickToModelCard = (page: Page) =>
  page.evaluate(async () => {
    const link = [...document.querySelectorAll('a')].find((a) => a.textContent === 'Model card')!;
    const t0 = performance.now();
    link.click();
    await new Promise<void>((resolve) => {
      const check = () => (document.querySelector('[data-testid="model-card"]') ? resolve() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - t0;
  });

const row = (page: Page, file: string) => page.locator(`[data-testid="result"][data-file="${file}"]`);

async function fixtures(): Promise<Record<string, string>> {
  mkdirSync(FIXTURES, { recursive: true });
  const f = (name: string) => join(FIXTURES, name);
  writeFileSync(f('empty.png'), new Uint8Array(0));
  writeFileSync(f('report.png'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  await sharp({ create: { width: 12000, height: 12000, channels: 3, background: '#404040' } }).png({ compressionLevel: 1 }).toFile(f('huge.png'));
  // A CT slice as DICOM: the grey pixels of a real CT PNG written back as HU.
  const { data, info } = await sharp(ctFiles(1, false)[0]!).greyscale().resize(64, 64).raw().toBuffer({ resolveWithObject: true });
  const grey = new Uint8Array(data);
  writeFileSync(f('ct-slice'), writeDicom({ frames: [grey], width: info.width, height: info.height }));
  writeFileSync(f('ct-series.dcm'), writeDicom({ frames: [grey, grey.map((v) => 255 - v), grey], width: info.width, height: info.height }));
  writeFileSync(f('mr.dcm'), writeDicom({ frames: [grey], width: info.width, height: info.height, modality: 'MR' }));
  writeFileSync(f('jpeg2000.dcm'), writeDicom({ frames: [grey], width: info.width, height: info.height, transferSyntax: '1.2.840.10008.1.2.4.90' }));
  return Object.fromEntries(['empty.png', 'report.png', 'huge.png', 'ct-slice', 'ct-series.dcm', 'mr.dcm', 'jpeg2000.dcm'].map((n) => [n, f(n)]));
}

test.describe('classification app', () => {
  let server: RunningServer;
  let modelDir: string;
  test.beforeAll(async () => {
    const { appDir, models } = readState();
    modelDir = models.a!;
    server = await startServer(assembleSite(appDir, modelDir));
  });
  test.afterAll(async () => server?.stop());

  test('a mixed batch: CT images classified, each bad file fails alone with its reason, no network, no leaked tensors', async ({ page }) => {
    requireChestCt();
    test.skip(!nonCtPresent(), `no non-CT set at ${NON_CT_DIR}`);
    const fx = await fixtures();
    const ct = ctFiles(4, false);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // No ?backend: the start-up self-test chooses, and must not choose SwiftShader WebGL here.
    await ready(page, `${server.url}/?testHooks=1`);
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    const baseline = await numTensors(page);

    const bad = [fx['empty.png']!, fx['report.png']!, fx['huge.png']!, nonCtFile('edge-cases/truncated.jpg'), nonCtFile('edge-cases/chessboard_GRAY_U16.tif')];
    const dicom = [fx['ct-slice']!, fx['ct-series.dcm']!, fx['mr.dcm']!, fx['jpeg2000.dcm']!];
    const all = [...ct, nonCtFile('photos/dog.jpg'), ...bad, ...dicom];
    // The start-up update check (metadata.json) is not classification: let it finish first, then
    // record from the moment files are handed over.
    await callHook(page, 'updateChecked');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.getByTestId('file-input').setInputFiles(all);
    await expect(page.getByTestId('result')).toHaveCount(all.length);
    await expect(page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])')).toHaveCount(0, { timeout: 120_000 });

    // Each CT row: computed on the chosen backend, with the probabilities Node computes for that
    // file with the same model files (what e2e/parity.spec.ts checks at length; here, in a mixed batch).
    const node = await nodePredictions(modelDir, [...ct, nonCtFile('photos/dog.jpg')]);
    for (const f of ct) {
      const name = f.split('/').pop()!;
      const r = row(page, name);
      await expect(r).toHaveAttribute('data-status', 'done');
      await expect(r).toHaveAttribute('data-backend', 'wasm');
      const shown = Object.fromEntries(
        await r.getByTestId('prob').evaluateAll((els) => els.map((e) => [e.getAttribute('data-class'), Number(e.getAttribute('data-value'))] as const)),
      );
      const expected = node.get(name)!.probs;
      expect(Object.keys(shown).sort(), name).toEqual(Object.keys(expected).sort());
      for (const [cls, p] of Object.entries(expected)) expect(Math.abs(shown[cls]! - p), `${name} ${cls}: shown ${shown[cls]}, Node ${p}`).toBeLessThan(1e-4);
    }
    const reason = async (file: string, status: string, text: RegExp) => {
      await expect(row(page, file)).toHaveAttribute('data-status', status);
      await expect(row(page, file).getByTestId('error')).toHaveText(text);
    };
    await reason('empty.png', 'error', /empty\.png: empty file \(0 bytes\)/);
    await reason('report.png', 'error', /report\.png: unsupported file: this is a PDF document/);
    await reason('huge.png', 'refused', /huge\.png: image too large: 12000×12000 pixels/);
    await reason('truncated.jpg', 'error', /truncated JPEG/);
    await reason('chessboard_GRAY_U16.tif', 'error', /TIFF is not supported/);
    await reason('mr.dcm', 'refused', /Modality is "MR", not CT/);
    await reason('jpeg2000.dcm', 'refused', /unsupported compression: JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)/);
    await expect(row(page, 'ct-slice')).toHaveAttribute('data-status', 'done');
    await expect(row(page, 'ct-series.dcm')).toHaveAttribute('data-status', 'done');
    // The photo is a valid image, but no CT slice: the contract's rule refuses it, saying why.
    await reason('dog.jpg', 'refused', /^dog\.jpg: Not a chest CT: colour image: \d+% of pixels are coloured/);
    // Counted from what each row shows: refusals are never "classified".
    const summary = page.getByTestId('summary');
    await expect(summary).toHaveText(`${ct.length + 2} classified, 4 refused, 4 failed of ${all.length}.`);
    await expect(summary).toHaveAttribute('data-classified', String(ct.length + 2));
    await expect(summary).toHaveAttribute('data-refused', '4');
    await expect(summary).toHaveAttribute('data-failed', '4');
    expect(node.get('dog.jpg')!.status, "Node's not-a-chest-CT rule agrees").toBe('refused');

    expect(requests, 'classifying must not touch the network').toEqual([]);
    expect(await numTensors(page)).toBe(baseline);
    expect(pageErrors).toEqual([]);

    // Multi-slice DICOM: per-slice scores, max/mean/top slice in the detail view (the inverted
    // middle slice, white air, may be refused on its own; the file is still classified).
    await row(page, 'ct-series.dcm').getByRole('button', { name: /View/ }).click();
    await expect(page.getByTestId('slices')).toContainText('3 slices');
    // Heatmap overlay of the model's activation maps.
    await row(page, ct[0]!.split('/').pop()!).getByRole('button', { name: /View/ }).click();
    await expect(page.getByTestId('heatmap-toggle')).toBeChecked();
    await page.getByTestId('heatmap-toggle').uncheck();
    await expect(page.getByTestId('heatmap-opacity')).toBeDisabled();

    // CSV export carries model id, threshold and each file's sha256.
    const modelId = (await page.getByTestId('model-id').textContent())!;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(ct[0]!)).digest('hex');
    expect(csv).toContain(sha);
    expect(csv.split('\r\n').filter((l) => l.includes(modelId))).toHaveLength(all.length);
  });

  test('many inferences return tfjs to its tensor baseline; cancel leaves the rest untouched', async ({ page }) => {
    requireChestCt();
    await ready(page, `${server.url}/?backend=wasm&testHooks=1`);
    const baseline = await numTensors(page);
    const files = ctFiles(70, false);
    await page.getByTestId('file-input').setInputFiles(files.slice(0, 30));
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(30, { timeout: 120_000 });
    expect(await numTensors(page)).toBe(baseline);

    await page.getByTestId('file-input').setInputFiles(files.slice(30));
    await page.getByTestId('cancel').click();
    await expect(page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])')).toHaveCount(0, { timeout: 60_000 });
    const cancelled = await page.locator('[data-testid="result"][data-status="cancelled"]').count();
    expect(cancelled).toBeGreaterThan(0);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(70 - cancelled);
    expect(await numTensors(page)).toBe(baseline);
  });

  test('the threaded WASM build runs cross-origin isolated under the strict CSP (pthread script served from our origin, no blob: in script-src)', async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await ready(page, `${server.url}/?backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The threaded binary ran, and its pthread workers imported the factory script from our origin.
    expect(requests.some((p) => /^\/assets\/tfjs-backend-wasm-threaded-simd-[\w-]+\.wasm$/.test(p))).toBe(true);
    expect(requests.filter((p) => /^\/assets\/tfjs-backend-wasm-threaded-simd-[\w-]+\.js$/.test(p)).length).toBeGreaterThan(0);
    // The worker sets the thread count (every core, up to 8; e2e/backends.spec.ts covers ?threads=); the indicator reports it.
    expect(Number(await page.getByTestId('backend').getAttribute('data-threads'))).toBeGreaterThanOrEqual(1);
    const dir = join(FIXTURES, 'threads');
    const files = Object.values(await writeSyntheticSet(dir, { classes: ['a', 'b'], perClass: 2, size: 48, seed: 5 })).flat();
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(files.length);
    expect(problems).toEqual([]);
  });

  test('a WebGL context lost mid-batch: the worker falls back to WASM and every queued file still completes', async ({ page }) => {
    const dir = join(FIXTURES, 'context-loss');
    const set = await writeSyntheticSet(dir, { classes: ['a', 'b'], perClass: 15, size: 48, seed: 7 });
    const files = uniquelyNamed(set, `${dir}-flat`);
    const workerLog: string[] = [];
    page.on('console', (m) => workerLog.push(m.text()));
    await ready(page, `${server.url}/?backend=webgl&testHooks=1`);
    await expect(page.getByTestId('backend')).toHaveText('webgl');
    await page.getByTestId('file-input').setInputFiles(files);
    const done = page.locator('[data-testid="result"][data-status="done"]');
    await expect(done.first()).toBeVisible();
    const doneBeforeLoss = await done.evaluateAll((els) => els.map((el) => el.getAttribute('data-file')));
    await loseContext(page);
    const doneAtLoss = await done.count();
    expect(doneAtLoss, 'the context must be lost while files are still queued').toBeLessThan(files.length);

    await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 60_000 });
    await expect(page.getByTestId('backend')).toHaveAttribute('title', /WebGL context was lost/);
    await expect(page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])')).toHaveCount(0, { timeout: 60_000 });
    // Nothing dropped, nothing failed: one row per file, each with a prediction.
    await expect(page.getByTestId('result')).toHaveCount(files.length);
    await expect(done).toHaveCount(files.length);
    expect(workerLog.filter((l) => /error/i.test(l))).toEqual([]);
    // Each row says which backend computed it: WebGL before the loss, WASM after, nothing unlabelled.
    // (The parity specs rely on this to fail a run that silently moved to WASM.)
    const backendOf = Object.fromEntries(
      await page.getByTestId('result').evaluateAll((els) => els.map((el) => [el.getAttribute('data-file'), el.getAttribute('data-backend')] as const)),
    );
    expect(doneBeforeLoss.map((f) => backendOf[f!]), `rows done before the loss: ${doneBeforeLoss.join(', ')}`).toEqual(doneBeforeLoss.map(() => 'webgl'));
    // The worker takes files in order, so the last one ran after the switch.
    expect(backendOf[files.at(-1)!.split('/').pop()!]).toBe('wasm');
    expect(Object.values(backendOf).every((b) => b === 'webgl' || b === 'wasm')).toBe(true);
  });

  test('another model from local files: verified before use (a missing shard, a tampered shard refused), then used', async ({ page }) => {
    const b = readState().models.b!;
    const bFiles = readdirSync(b).map((f) => join(b, f));
    const bId = (JSON.parse(readFileSync(join(b, 'metadata.json'), 'utf8')) as { modelId: string }).modelId;
    const tampered = join(FIXTURES, 'model-b-tampered');
    rmSync(tampered, { recursive: true, force: true });
    cpSync(b, tampered, { recursive: true });
    const shard = readdirSync(tampered).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(tampered, shard));
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(join(tampered, shard), bytes);

    await ready(page, `${server.url}/?backend=wasm`);
    const before = (await page.getByTestId('model-id').textContent())!;
    expect(before).not.toBe(bId);
    await page.getByTestId('local-model').locator('summary').click();
    const input = page.getByTestId('model-files-input');
    const error = page.getByTestId('local-model-error');

    await input.setInputFiles(bFiles.filter((f) => !f.endsWith('.bin')));
    await expect(error).toContainText(/\.bin: is listed in model\.json but was not among the dropped files/);
    await input.setInputFiles(readdirSync(tampered).map((f) => join(tampered, f)));
    await expect(error).toContainText(`${shard}: sha256`);
    await expect(error).toContainText('does not match metadata.json');
    await expect(page.getByTestId('model-id')).toHaveText(before);

    await input.setInputFiles(bFiles);
    await expect(page.getByTestId('local-model-status')).toContainText(`Now using model ${bId}`);
    await expect(error).toHaveCount(0);
    await expect(page.getByTestId('model-id')).toHaveText(bId);
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    const images = Object.values(await writeSyntheticSet(join(FIXTURES, 'local-model'), { classes: ['a', 'b'], perClass: 2, size: 48, seed: 9 })).flat();
    await page.getByTestId('file-input').setInputFiles(images);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(images.length);
    await page.getByRole('link', { name: 'Model card' }).click();
    await expect(page.getByTestId('model-card')).toContainText(bId);
  });

  test('a DICOM series split over single-slice files is summarised: max, mean and top slice across the files', async ({ page }) => {
    const dir = join(FIXTURES, 'series');
    mkdirSync(dir, { recursive: true });
    const rand = rng(17);
    const grey = (cls: number) => syntheticPixels(cls, 48, 48, rand).filter((_, i) => i % 3 === 0);
    const series = dicomUid();
    // Discs (the positive class of model a) and stripes: the slices score differently.
    const slices = [1, 0, 1, 0].map((cls, i) => {
      const f = join(dir, `slice-${i + 1}.dcm`);
      writeFileSync(f, writeDicom({ frames: [grey(cls)], width: 48, height: 48, seriesUid: series, instanceNumber: i + 1 }));
      return f;
    });
    const lone = join(dir, 'other-series.dcm');
    writeFileSync(lone, writeDicom({ frames: [grey(0)], width: 48, height: 48, instanceNumber: 1 }));

    await ready(page, `${server.url}/?backend=wasm`);
    await page.getByTestId('file-input').setInputFiles([...slices, lone]);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(slices.length + 1);
    await expect(page.getByTestId('summary')).toHaveText(`${slices.length + 1} classified, 0 refused, 0 failed of ${slices.length + 1}.`);
    const positive = async (f: string) => Number(await row(page, f.split('/').pop()!).locator('[data-testid="prob"][data-class="adenocarcinoma"]').getAttribute('data-value'));
    const scores = await Promise.all(slices.map(positive));
    const top = scores.indexOf(Math.max(...scores));

    const summary = page.getByTestId('series');
    await expect(summary).toHaveCount(1);
    await expect(summary).toHaveAttribute('data-series-uid', series);
    await expect(summary.getByTestId('series-slices')).toHaveText('4 slices in 4 files');
    expect(Number(await summary.getAttribute('data-max'))).toBe(scores[top]);
    expect(Math.abs(Number(await summary.getAttribute('data-mean')) - scores.reduce((a, b) => a + b, 0) / scores.length)).toBeLessThan(1e-12);
    await expect(summary.getByTestId('series-top')).toHaveText(`slice-${top + 1}.dcm (instance ${top + 1})`);
    // The series' decision, under the stated rule: positive if any slice reaches the threshold.
    const threshold = Number((await page.getByTestId('series-rule').textContent())!.match(/threshold (\d\.\d+)/)![1]);
    const above = scores.filter((p) => p >= threshold).length;
    await expect(summary).toHaveAttribute('data-decision', above > 0 ? 'positive' : 'negative');
    await expect(summary.getByTestId('series-decision')).toContainText(`${above} of ${scores.length} slices at or above the threshold`);
  });

  test('a scanner folder tree (bare implicit-VR data sets, no preamble, no extension) is read and grouped by SeriesInstanceUID', async ({ page }) => {
    const root = join(FIXTURES, 'scanner-tree');
    rmSync(root, { recursive: true, force: true });
    const rand = rng(23);
    const lung = { width: 1500, level: -600 };
    const files: string[] = [];
    for (const [series, count] of [['1.2.826.0.1.3680043.8.498.1', 3], ['1.2.826.0.1.3680043.8.498.2', 2]] as const) {
      const dir = join(root, 'PATIENT1', `SE${series.slice(-1)}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 1; i <= count; i++) {
        const grey = syntheticPixels(i % 2, 48, 48, rand).filter((_, k) => k % 3 === 0);
        // Instance numbers run head-first while z runs feet-first: the summary orders by position.
        const bytes = ctSlice({ hu: Array.from(grey, (g) => greyToHu(g, lung)), width: 48, height: 48, series, instance: i, ipp: `-120\\-120\\${-10 * i}` });
        const f = join(dir, `IM${String(i).padStart(6, '0')}`);
        writeFileSync(f, bytes);
        files.push(f);
      }
    }
    await ready(page, `${server.url}/?backend=wasm`);
    await page.getByTestId('file-input').setInputFiles(files);
    await expect(page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])')).toHaveCount(0);
    await expect(page.getByTestId('summary')).toHaveText(`${files.length} classified, 0 refused, 0 failed of ${files.length}.`);
    const series = page.getByTestId('series');
    await expect(series).toHaveCount(2);
    await expect(page.locator('[data-testid="series"][data-series-uid="1.2.826.0.1.3680043.8.498.1"]').getByTestId('series-slices')).toHaveText('3 slices in 3 files');
    await expect(page.locator('[data-testid="series"][data-series-uid="1.2.826.0.1.3680043.8.498.2"]').getByTestId('series-slices')).toHaveText('2 slices in 2 files');
    await expect(page.getByTestId('series-rule')).toContainText("if any slice's probability is at or above the model's threshold");
  });

  test('500 files: the page stays responsive while they are queued, the worker heap stays flat, tensors return to baseline', async ({ page, browser }) => {
    const dir = join(FIXTURES, 'many');
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    // Small CT-like slices (the not-a-chest-CT rule must accept them, so each is inferred).
    const rand = rng(500);
    for (let i = 0; i < 500; i++) {
      const f = join(dir, `ct-like-${String(i).padStart(3, '0')}.png`);
      if (!existsSync(f)) await sharp(Buffer.from(syntheticPixels(i % 2, 32, 32, rand)), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(f);
      files.push(f);
    }
    await ready(page, `${server.url}/?backend=wasm&testHooks=1`);
    const tensors = await numTensors(page);
    const worker = await attachToWorker(browser, /\/assets\/worker-[\w-]+\.js$/);
    const pageCdp = await page.context().newCDPSession(page);
    const heap = async () => {
      await worker('HeapProfiler.collectGarbage');
      await pageCdp.send('HeapProfiler.collectGarbage');
      return { worker: (await worker<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize, page: (await pageCdp.send('Runtime.getHeapUsage')).usedSize };
    };
    const done = page.locator('[data-testid="result"][data-status="done"]');

    // The same click with nothing queued, on this machine under its current load: the bounds below are
    // a multiple of it (never tighter than 1 s), so a busy CI machine slows both sides alike.
    const idleClicks: number[] = [];
    for (let i = 0; i < 3; i++) {
      idleClicks.push(await clickToModelCard(page));
      await page.getByRole('link', { name: 'Classify' }).click();
    }
    const idleClickMs = idleClicks.sort((a, b) => a - b)[1]!;
    const bound = Math.max(1000, IDLE_FACTOR * idleClickMs);

    const WARM = 50;
    await page.getByTestId('file-input').setInputFiles(files.slice(0, WARM));
    await expect(done).toHaveCount(WARM);
    const warm = await heap();

    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.getByTestId('file-input').setInputFiles(files.slice(WARM));
    await expect(done).not.toHaveCount(WARM);
    // With ~450 files queued and results streaming in: a click gets its page rendered promptly.
    const clickMs = await clickToModelCard(page);
    const stillQueued = await page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])').count();
    await page.getByRole('link', { name: 'Classify' }).click();
    await expect(done).toHaveCount(files.length, { timeout: 120_000 });
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const after = await heap();

    test.info().annotations.push({ type: 'measured', description: JSON.stringify({ idleClickMs, clickMs, bound, stillQueued, longTasks, warm, after }) });
    console.log('500 files:', JSON.stringify({ idleClickMs: Math.round(idleClickMs), clickMs: Math.round(clickMs), bound: Math.round(bound), stillQueued, longTasks: longTasks.map(Math.round), warm, after }));
    expect(stillQueued, 'the click must land while files are still queued').toBeGreaterThan(100);
    expect(clickMs, `click → rendered page while 450 files are queued (idle: ${idleClickMs.toFixed(0)} ms)`).toBeLessThan(bound);
    expect(Math.max(0, ...longTasks), `main-thread long tasks: ${longTasks.map((d) => d.toFixed(0)).join(', ')} ms (bound ${bound.toFixed(0)} ms)`).toBeLessThan(bound);
    expect(await numTensors(page)).toBe(tensors);
    // The worker, where decoding and inference happen, keeps nothing per file (measured: ~0.15 MB over 450).
    expect(after.worker - warm.worker, `worker heap ${warm.worker} → ${after.worker} bytes`).toBeLessThan(1024 * 1024);
    // The page keeps each result (probabilities, heatmap, sha256) by design: bounded per result.
    expect((after.page - warm.page) / (files.length - WARM), `page heap ${warm.page} → ${after.page} bytes`).toBeLessThan(32 * 1024);
  });

  test('model card, keyboard dropzone, narrow layout', async ({ page }) => {
    await ready(page, `${server.url}/?backend=wasm`);
    const modelId = (await page.getByTestId('model-id').textContent())!;
    await page.getByRole('link', { name: 'Model card' }).click();
    await expect(page.getByTestId('model-card')).toContainText(modelId);
    await expect(page.getByTestId('ruo')).toContainText('not a medical device');
    await page.getByRole('link', { name: 'Classify' }).click();

    const dz = page.getByTestId('dropzone');
    await dz.focus();
    await expect(dz).toBeFocused();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    expect(chooser.isMultiple()).toBe(true);

    for (const width of [1280, 380]) {
      await page.setViewportSize({ width, height: 800 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    }
  });
});

test('two rules: non-CT photos refused as "Not a chest CT" with the reason; real CT from another hospital, unlike the model\'s training data, classified with a warning (score and threshold)', async ({ page }) => {
  test.skip(!iqOthnccdPresent(), `SKIPPED: no IQ-OTH/NCCD set at ${IQ_OTHNCCD_DIR}; set IQ_OTHNCCD_DIR`);
  const { appDir, models } = readState();
  const server = await startServer(assembleSite(appDir, models.ood!));
  try {
    await ready(page, `${server.url}/?backend=wasm`);
    test.skip(!nonCtPresent(), `no non-CT set at ${NON_CT_DIR}`);
    const threshold = (JSON.parse(readFileSync(join(models.ood!, 'metadata.json'), 'utf8')) as { ood: { threshold: number } }).ood.threshold;
    const photos = readdirSync(join(NON_CT_DIR, 'photos')).sort().map((f) => join(NON_CT_DIR, 'photos', f));
    // In distribution: new images from the generator the model was trained on (another seed).
    const inDist = uniquelyNamed(await writeSyntheticSet(join(FIXTURES, 'ood-in'), { classes: ['adenocarcinoma', 'normal'], perClass: 5, seed: 21 }), join(FIXTURES, 'ood-in-flat'));
    // Real chest CT from IQ-OTH/NCCD (another hospital, a mediastinal window): CT slices, but unlike the
    // generated images this model was trained on (measured in Node: OOD scores 14–20 against a threshold ~11).
    const iqNormal = join(IQ_OTHNCCD_DIR, 'normal');
    const realCt = ['Normal case (1).jpg', 'Normal case (10).jpg', 'Normal case (100).jpg'].map((f) => join(iqNormal, f));
    // Real chest-ct slices (PNG and JPEG) too: the browser's decoders and Node's sharp must give the same
    // OOD score on them, whichever side of this synthetic-trained model's threshold they fall.
    requireChestCt();
    const ct = ctFiles(4, true);
    await page.getByTestId('file-input').setInputFiles([...photos, ...inDist, ...realCt, ...ct]);
    await expect(page.locator('[data-testid="result"]:is([data-status="queued"],[data-status="running"])')).toHaveCount(0);
    for (const p of photos) {
      const name = p.split('/').pop()!;
      const r = row(page, name);
      await expect(r).toHaveAttribute('data-status', 'refused');
      await expect(r.getByTestId('error')).toHaveText(new RegExp(`^${name.replace('.', '\\.')}: Not a chest CT: .+\\(a CT slice`));
    }
    for (const f of realCt) {
      const r = row(page, f.split('/').pop()!);
      await expect(r).toHaveAttribute('data-status', 'done');
      await expect(r).toHaveAttribute('data-warned', 'true');
      await expect(r.getByTestId('prob')).toHaveCount(2);
      const warning = (await r.getByTestId('warning').textContent())!;
      const m = warning.match(/Chest CT unlike this model\u2019s training data: OOD score (\d+\.\d\d) > threshold (\d+\.\d\d)/);
      expect(m, warning).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(threshold);
      expect(Number(m![2])).toBeCloseTo(threshold, 2);
    }
    const warned = await page.locator('[data-testid="result"][data-warned="true"]').count();
    const inDistWarned = (await Promise.all(inDist.map((f) => row(page, f.split('/').pop()!).getAttribute('data-warned')))).filter((w) => w === 'true').length;
    // The OOD threshold passes ~95% of held-out training-like images: of 10, more than 2 warned would happen
    // by chance about 1 time in 100 (binomial). The seeded images give 2 here; Node agrees row by row below.
    expect(inDistWarned).toBeLessThanOrEqual(2);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(inDist.length + realCt.length + ct.length);
    const summary = page.getByTestId('summary');
    await expect(summary).toHaveAttribute('data-refused', String(photos.length));
    await expect(summary).toHaveAttribute('data-classified', String(inDist.length + realCt.length + ct.length));
    await expect(summary).toHaveAttribute('data-warned', String(warned));
    await expect(page.locator('[data-testid="result"][data-status="error"]')).toHaveCount(0);
    // Every row's verdict, warning and (for inferred rows) OOD score is what Node computes with the same model files.
    const node = await nodePredictions(models.ood!, [...photos, ...inDist, ...realCt, ...ct]);
    const shown = await page.getByTestId('result').evaluateAll((els) =>
      els.map((el) => ({ file: el.getAttribute('data-file')!, status: el.getAttribute('data-status'), warned: el.getAttribute('data-warned'), ood: el.getAttribute('data-ood') })),
    );
    expect(shown).toHaveLength(node.size);
    for (const s of shown) {
      const n = node.get(s.file)!;
      expect(s.status, s.file).toBe(n.status);
      expect(s.warned, s.file).toBe(String(n.warned));
      if (n.status === 'done') expect(Math.abs(Number(s.ood) - n.oodScore!), `${s.file}: OOD score shown ${s.ood}, Node ${n.oodScore}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(n.oodScore!)));
    }

    // The CSV carries the warning and the model's OOD threshold beside the prediction.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toContain('ood_score,ood_threshold,warning,message');
    const ctLine = csv.find((l) => l.startsWith(realCt[0]!.split('/').pop()!))!;
    expect(ctLine).toMatch(/,done,/);
    expect(ctLine).toContain('Chest CT unlike this model\u2019s training data: OOD score');
  } finally {
    await server.stop();
  }
});

test('the model card leads with the shipped decision (sens/spec/PPV/NPV with CIs), then argmax, and says the fallback placed the threshold', async ({ page }) => {
  // Model a's graph and hashes, with the figures the pipeline's evaluate records (metadata.json is not hashed).
  const { appDir, models } = readState();
  const dir = join(FIXTURES, 'model-card');
  rmSync(dir, { recursive: true, force: true });
  cpSync(models.a!, dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown> & { metrics: Record<string, unknown> };
  meta.metrics = { ...meta.metrics, confusionMatrix: [[9, 1], [4, 6]], argmaxConfusionMatrix: [[8, 2], [1, 9]] };
  meta.thresholdPlacement = {
    placedBy: 'fallback',
    rule: 'fallback: 0.5 on the calibrated positive-class probability',
    fallbackReason: 'validation has 13 negatives, fewer than 20: too few to place a sensitivity-first threshold',
    validation: { positives: 23, negatives: 13, sensitivity: 0.913, specificity: 0.769 },
  };
  meta.externalValidation = [
    { name: 'iq-othnccd', date: '2026-12-02T09:00:00.000Z', datasetHash: 'h', nPerClass: { adenocarcinoma: 561, normal: 416 }, unmapped: { benign: 120 }, failed: 0, rocAuc: 0.732, rocAucCi95: [0.698, 0.761], threshold: 0.5, sensitivity: 0.968, specificity: 0.188, ppv: 0.616, npv: 0.813, refusalRate: 0.01, warningRate: 0.9, verdictRule: 'r' },
  ];
  writeFileSync(join(dir, 'metadata.json'), JSON.stringify(meta, null, 2));
  const server = await startServer(assembleSite(appDir, dir));
  try {
    await ready(page, `${server.url}/?backend=wasm`);
    await page.getByRole('link', { name: 'Model card' }).click();
    const figures = page.getByTestId('decision-figures');
    const shipped = figures.getByTestId('decision-shipped');
    await expect(shipped).toContainText('At the shipped threshold');
    await expect(shipped.getByTestId('sensitivity')).toHaveText(/^0\.900 \(0\.\d\d–0\.\d\d; 9\/10\)$/);
    await expect(shipped.getByTestId('specificity')).toHaveText(/^0\.600 \(.*; 6\/10\)$/);
    await expect(shipped.getByTestId('ppv')).toHaveText(/; 9\/13\)$/);
    await expect(shipped.getByTestId('npv')).toHaveText(/; 6\/7\)$/);
    await expect(figures.getByTestId('decision-argmax').getByTestId('specificity')).toHaveText(/^0\.900 .*; 9\/10\)$/);
    // The shipped decision comes first.
    expect(await figures.locator('tbody tr').first().getAttribute('data-testid')).toBe('decision-shipped');
    await expect(figures.getByTestId('threshold-placement')).toContainText('Placed by the fallback rule, because validation has 13 negatives, fewer than 20');
    // External validations recorded by validate --write-metadata: on the card, at the shipped threshold.
    const ext = page.getByTestId('external-validation');
    await expect(ext).toHaveCount(1);
    await expect(ext).toContainText('iq-othnccd');
    await expect(ext).toContainText('0.732 (0.698–0.761)');
    await expect(ext).toContainText('not mapped: benign 120');
  } finally {
    await server.stop();
  }
});

test('with no model deployed the page says so and how to train one', async ({ page }) => {
  const { appDir } = readState();
  const server = await startServer(assembleSite(appDir, null));
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('no-model')).toContainText('No model is deployed');
    await expect(page.getByTestId('no-model')).toContainText('npm run pipeline');
    await expect(page.getByTestId('no-model')).toContainText('npm run train -- --data');
  } finally {
    await server.stop();
  }
});
