/**
 * Bounded by design (issue 28), in Chromium against the real server: a small file that declares a
 * ruinous size is refused alone, with its reason, within 10 s, while a normal CT image dropped with
 * it still classifies, and the renderer process stays under 1.5 GB the whole time.
 *
 * The renderer's memory is measured for real: the resident set size (VmRSS, /proc) of every
 * renderer process of the browser this spec launches, polled every 50 ms (testkit/browser/
 * renderer-memory.ts). Decoded bitmaps, canvases and the worker's typed arrays are native memory of
 * that process, which the page's JS heap figures would not show.
 *
 * Table-driven: a row is { name, make(dir) → path, code, reasonPattern }; the hostile files are
 * generated into a temp folder by testkit/hostile/*.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ModelMetadata, RefusalCode } from '@respidetect/contract';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { launchWithPid, RendererPeak } from '../testkit/browser/renderer-memory';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';
import { HOSTILE_DICOM, makeHostileDicom } from '../testkit/hostile/dicom';
import { writeLateSofJpeg, writeThinPng } from '../testkit/hostile/raster';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';

export interface HostileRow {
  name: string;
  /** Writes the hostile file into `dir`; returns its path. */
  make(dir: string): Promise<string>;
  /** The refusal's code (the error cell's data-code). */
  code: RefusalCode;
  /** What the reason the row shows must say. */
  reasonPattern: RegExp;
}

const ROWS: HostileRow[] = [
  {
    name: 'a thin 20000×600 PNG (12 MP; 400 MP padded to a square)',
    make: (dir) => writeThinPng(dir, 20000, 600),
    code: 'aspect-ratio',
    reasonPattern: /^thin-20000x600\.png: image too long for the model: 20000×600 pixels is padded to a 20000×20000 square \(400 MP\)/,
  },
  {
    name: 'a thin 30000×900 PNG (27 MP; 900 MP padded)',
    make: (dir) => writeThinPng(dir, 30000, 900),
    code: 'aspect-ratio',
    reasonPattern: /^thin-30000x900\.png: image too long for the model: 30000×900 pixels is padded to a 30000×30000 square \(900 MP\)/,
  },
  {
    name: 'a 14000×14000 JPEG (196 MP) whose SOF sits after a 64 KiB comment',
    make: (dir) => writeLateSofJpeg(dir, 14000),
    code: 'too-many-pixels',
    reasonPattern: /^late-sof-14000\.jpg: image too large: 14000×14000 pixels \(196 MP\); the limit is 40 MP/,
  },
  // The DICOM bombs of the issue (deflate bomb, tens of thousands of frames), nesting (a Node crash before,
  // run here too) and a thin frame; their reasons are testkit/hostile/dicom.ts's, after the file's name.
  ...HOSTILE_DICOM.filter((h) => ['deflate-bomb.dcm', 'frames-20000.dcm', 'frames-4mb.dcm', 'deep-sequence-deflated.dcm', 'thin-frame.dcm'].includes(h.name)).map(
    (h): HostileRow => ({
      name: `DICOM ${h.name}: ${h.description}`,
      make: async (dir) => makeHostileDicom(h, dir),
      code: h.code,
      reasonPattern: new RegExp(`^${h.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${h.reason.source}`, h.reason.flags),
    }),
  ),
];

/** The bound on the refusal, from the drop. */
const REFUSED_WITHIN_MS = 10_000;
/** The bound on the renderer's resident memory while it happens. */
const RENDERER_MAX_BYTES = 1.5 * 2 ** 30;

test.describe('hostile files are refused alone, fast, within the memory bound', () => {
  let server: RunningServer;
  let dir: string;
  let launched: Awaited<ReturnType<typeof launchWithPid>>;

  test.beforeAll(async () => {
    const { appDir, models } = readState();
    // Model a was trained with the source normalisation on (body crop, padded to a square): the step a thin image abuses.
    server = await startServer(assembleSite(appDir, models.a!));
    dir = mkdtempSync(join(tmpdir(), 'respidetect-hostile-'));
    launched = await launchWithPid({ ...chromiumLaunchOptions, headless: true });
  });
  test.afterAll(async () => {
    await launched?.browser.close();
    await launched?.server.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const row of ROWS) {
    test(`${row.name}: refused with '${row.code}' within ${REFUSED_WITHIN_MS / 1000} s; the CT image beside it classifies; renderer < 1.5 GB`, async () => {
      requireChestCt();
      const bomb = await row.make(dir);
      const normal = ctFiles(1, false)[0]!;
      const context = await launched.browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      let peak: RendererPeak | undefined;
      try {
        await page.goto(`${server.url}/?backend=wasm`);
        await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 120_000 });

        peak = new RendererPeak(launched.pid);
        const t0 = Date.now();
        // One drop: the bomb first, so it is prepared first and the normal image waits behind it.
        await page.getByTestId('file-input').setInputFiles([bomb, normal]);
        const bombRow = page.locator(`[data-testid="result"][data-file="${basename(bomb)}"]`);
        const error = bombRow.getByTestId('error');
        await expect(error).toHaveAttribute('data-code', row.code, { timeout: REFUSED_WITHIN_MS });
        const refusedMs = Date.now() - t0;
        await expect(error).toHaveText(row.reasonPattern);
        await expect(bombRow).toHaveAttribute('data-status', /^(refused|error)$/);

        const normalRow = page.locator(`[data-testid="result"][data-file="${basename(normal)}"]`);
        await expect(normalRow).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
        await expect(normalRow.getByTestId('prob').first()).toBeVisible();
        const peakBytes = peak.stop();
        console.log(
          `${row.name}: refused in ${refusedMs} ms; renderer peak RSS ${(peakBytes / 2 ** 20).toFixed(0)} MiB over ${peak.samples} samples`,
        );
        expect(refusedMs).toBeLessThan(REFUSED_WITHIN_MS);
        expect(peak.samples, 'the renderer was sampled while it worked').toBeGreaterThan(2);
        expect(peakBytes, 'renderers were found and measured').toBeGreaterThan(0);
        expect(peakBytes).toBeLessThan(RENDERER_MAX_BYTES);
      } finally {
        if (peak) console.log(`${row.name}: renderer peak RSS ${(peak.stop() / 2 ** 20).toFixed(0)} MiB (at the end of the test)`);
        await context.close();
      }
    });
  }
});

/**
 * A hostile or careless metadata.json beside a sound graph (model b's, dropped as "another model"):
 * refused with the field named, where the page says why, instead of showing wrong class names or
 * warning on every image. `where` is the message's place: at load (the metadata alone) or at start
 * (the graph loaded and measured).
 */
interface MetadataRow {
  name: string;
  /** Rewrites metadata.json's text. */
  edit(text: string): string;
  where: 'local-model-error' | 'model-error';
  message: RegExp;
}

const withMeta = (edit: (m: ModelMetadata) => void) => (text: string) => {
  const m = JSON.parse(text) as ModelMetadata;
  edit(m);
  return JSON.stringify(m);
};

const METADATA_ROWS: MetadataRow[] = [
  {
    name: '5 class names for a graph with 2 probabilities',
    edit: withMeta((m) => (m.classNames = ['adenocarcinoma', 'normal', 'squamous', 'large-cell', 'other'])),
    where: 'model-error',
    // The app runs the logits output (probabilities are computed from it at the calibrated temperature): its width is the one measured.
    message: /This model's metadata\.json is inconsistent: classNames has 5 names but the graph's logits output \("logits"\) has 2 values per image/,
  },
  {
    name: 'an output name that is not in the graph',
    edit: withMeta((m) => (m.outputs.heatmap = 'cam')),
    where: 'model-error',
    message: /This model's metadata\.json is inconsistent: outputs\.heatmap is "cam", which is not an output of the graph/,
  },
  {
    name: 'an OOD threshold of −1',
    edit: withMeta((m) => (m.ood = { mean: [0, 0], components: [[1, 0]], variances: [1], threshold: -1 })),
    where: 'local-model-error',
    message: /This model's metadata\.json is inconsistent: ood\.threshold is -1/,
  },
  {
    name: 'a 40 MB metadata.json',
    edit: (text) => text.replace(/}\s*$/, `, "padding": "${' '.repeat(40 * 2 ** 20)}"}`),
    where: 'local-model-error',
    message: /metadata\.json: is 40\.0 MiB; the limit is 4 MiB/,
  },
];

test.describe('an inconsistent metadata.json is refused, naming the field', () => {
  let server: RunningServer;
  let dir: string;
  test.beforeAll(async () => {
    const { appDir, models } = readState();
    server = await startServer(assembleSite(appDir, models.a!));
    dir = mkdtempSync(join(tmpdir(), 'respidetect-metadata-'));
  });
  test.afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const row of METADATA_ROWS) {
    test(`${row.name}: "${row.where}" says which field`, async ({ page }) => {
      const b = readState().models.b!;
      const copy = join(dir, row.name.replace(/\W+/g, '-'));
      cpSync(b, copy, { recursive: true });
      writeFileSync(join(copy, 'metadata.json'), row.edit(readFileSync(join(b, 'metadata.json'), 'utf8')));
      await page.goto(`${server.url}/?backend=wasm`);
      await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 120_000 });
      await page.getByTestId('local-model').locator('summary').click();
      await page.getByTestId('model-files-input').setInputFiles(readdirSync(copy).map((f) => join(copy, f)));
      await expect(page.getByTestId(row.where)).toContainText(row.message, { timeout: 30_000 });
    });
  }
});

