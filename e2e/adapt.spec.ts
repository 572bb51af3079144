/**
 * "Adapt to my images" end to end, on real data: a model trained by the real CLI on chest-ct is
 * adapted in Chromium (real server, real worker, real tfjs) to a labelled IQ-OTH/NCCD folder
 * (malignant/normal). Checks: the split and the before/after report appear with both AUCs; no
 * request leaves the page while adapting; the worker's tensor count returns to its baseline; the
 * exported folder verifies in Node and `npm run validate`'s predictions on the test-part files
 * equal the browser's within 1e-4 (adapted model, and the deployed one for the "before" column); the adapted
 * model can be used (also dropped as files on "Use another model from this computer"), stays in
 * use after a reload, is still there offline, and a second run reads every embedding from IndexedDB.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, mkdirSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Download } from '@playwright/test';
import type { ExternalReport, ModelMetadata } from '@respidetect/contract';
import { chestCtPresent, iqOthnccdPresent, iqOthnccdSkipMessage, skipMessage } from '../testkit/datasets';
import { verifyModelDir } from '../training/src/inference/model-dir';
import { IQ_LABEL_MAP, trainChestCtModel, writeIqFolder } from '../testkit/models/adapt-data';
import { E2E_CACHE, REPO } from '../testkit/paths';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';
import { callHook, numTensors } from '../testkit/browser/hooks';

const WORK = join(E2E_CACHE, 'adapt');
const SET = join(WORK, 'iq-set');
const EXPORTED = join(WORK, 'exported');
const TEST_PART = join(WORK, 'test-part');
const SMALL = join(WORK, 'iq-small');
const CLI_OUT = join(WORK, 'cli');
const PER_CLASS = 90;

const present = chestCtPresent() && iqOthnccdPresent();
test.skip(!present, `${skipMessage()} / ${iqOthnccdSkipMessage()}`);

let server: RunningServer;
let parentDir: string;

test.beforeAll(async () => {
  mkdirSync(WORK, { recursive: true });
  parentDir = trainChestCtModel(WORK, { imageSize: 32, perClass: 40 });
  writeIqFolder(SET, PER_CLASS);
  // One unreadable file: it must fail alone, by name, and take nothing else with it.
  writeFileSync(join(SET, 'malignant', 'broken.jpg'), 'not a JPEG\n');
  writeIqFolder(SMALL, 20);
  server = await startServer(assembleSite(readState().appDir, parentDir));
});
test.afterAll(async () => server?.stop());

interface AdaptReportJson {
  before: ExternalReport;
  after: ExternalReport;
  metadata: ModelMetadata;
  skipped: { file: string; kind: string; reason: string }[];
}

test('adapts a chest-ct model to IQ-OTH/NCCD in the worker: before/after report, offline, no leak, CLI parity, kept and usable', async ({ page, context }) => {
  test.setTimeout(300_000);
  const parent = JSON.parse(readFileSync(join(parentDir, 'metadata.json'), 'utf8')) as ModelMetadata;
  // Reached from the Classify page's link.
  await page.goto(`${server.url}/?testHooks=1#/`);
  await page.getByTestId('classify-adapt-link').click();
  await expect(page.getByTestId('adapt-page')).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('model-id')).toHaveText(parent.modelId);
  // The app's own first update check (metadata.json, network-first) finishes before requests are counted.
  await callHook(page, 'updateChecked');
  await page.getByTestId('adapt-folder-input').setInputFiles(SET);
  await expect(page.getByTestId('adapt-picked')).toContainText(`${2 * PER_CLASS + 1} files in 2 folders (malignant, normal)`);
  // Only "normal" is named like a model class; malignant needs the user's map, as in the check.
  await expect(page.getByTestId('adapt-label-map')).toHaveValue('normal=normal');
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  const baseline = await numTensors(page);

  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-progress')).toBeVisible();
  await expect(page.getByTestId('adapt-split')).toBeVisible({ timeout: 150_000 });
  const report = page.getByTestId('adapt-report');
  await expect(report).toBeVisible({ timeout: 200_000 });
  expect(requests, 'no request while adapting: the images stay in the browser').toEqual([]);
  expect(await numTensors(page), 'the adaptation frees every tensor it made').toBe(baseline);

  const aucBefore = Number(await report.getAttribute('data-auc-before'));
  const aucAfter = Number(await report.getAttribute('data-auc-after'));
  for (const a of [aucBefore, aucAfter]) {
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThanOrEqual(1);
  }
  // Empty attributes would read as 0 above: both must be real numbers.
  expect(await report.getAttribute('data-auc-before')).toMatch(/^0?\.\d+|^1$/);
  expect(await report.getAttribute('data-auc-after')).toMatch(/^0?\.\d+|^1$/);
  await expect(page.getByTestId('adapt-figures-before').getByTestId('check-roc')).toBeVisible();
  await expect(page.getByTestId('adapt-figures-after').getByTestId('check-roc')).toBeVisible();

  const [reportDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('adapt-download-report').click()]);
  const web = JSON.parse(readFileSync((await reportDownload.path())!, 'utf8')) as AdaptReportJson;
  expect(web.before.all!.rocAuc).toBeCloseTo(aucBefore, 12);
  expect(web.after.all!.rocAuc).toBeCloseTo(aucAfter, 12);
  expect(web.metadata.adaptation).toMatchObject({ note: 'adapted locally', parentModelId: parent.modelId });
  expect(web.metadata.modelId).not.toBe(parent.modelId);
  expect(web.skipped.filter((x) => x.kind === 'failed').map((x) => x.file)).toEqual(['malignant/broken.jpg']);
  await expect(page.getByTestId('adapt-skipped')).toContainText('malignant/broken.jpg: failed');
  // The same test-part images on both sides.
  expect(web.after.items.map((i) => i.file)).toEqual(web.before.items.map((i) => i.file));
  const testCounts = web.metadata.adaptation!.counts.test;
  expect(web.after.all!.n).toBe(testCounts.adenocarcinoma! + testCounts.normal!);
  expect(Math.min(testCounts.adenocarcinoma!, testCounts.normal!)).toBeGreaterThanOrEqual(10);

  // Export: every file of the folder comes down; Node verifies the folder like any exported model.
  rmSync(EXPORTED, { recursive: true, force: true });
  mkdirSync(EXPORTED, { recursive: true });
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('adapt-export').click();
  const expected = 2 + Object.keys(web.metadata.hashes.weights).length;
  await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(expected);
  for (const d of downloads) copyFileSync((await d.path())!, join(EXPORTED, d.suggestedFilename()));
  verifyModelDir(EXPORTED);

  // `npm run validate` (the real CLI) loads the exported folder and the deployed one; on the test-part
  // files its probabilities equal the browser's, for the adapted model and for the "before" column.
  const scored = web.after.items.filter((i) => i.status === 'scored');
  rmSync(TEST_PART, { recursive: true, force: true });
  for (const i of scored) {
    mkdirSync(join(TEST_PART, i.folder), { recursive: true });
    copyFileSync(join(SET, i.file), join(TEST_PART, i.file));
  }
  let worst = 0;
  for (const [which, dir, side] of [['adapted', EXPORTED, web.after], ['deployed', parentDir, web.before]] as const) {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', 'validate', '--model', dir, '--data', TEST_PART, '--label-map', IQ_LABEL_MAP, '--name', which, '--out', CLI_OUT], {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, RESPIDETECT_QUIET: '1' },
    });
    expect(res.status, res.stderr).toBe(0);
    const cli = JSON.parse(readFileSync(join(CLI_OUT, `${which}.json`), 'utf8')) as ExternalReport;
    expect(cli.modelId).toBe(which === 'adapted' ? web.metadata.modelId : parent.modelId);
    const byFile = new Map(cli.items.map((i) => [i.file, i]));
    for (const i of side.items.filter((x) => x.status === 'scored')) {
      const node = byFile.get(i.file)!.probabilities!;
      const diff = Math.max(...i.probabilities!.map((p, c) => Math.abs(p - node[c]!)));
      worst = Math.max(worst, diff);
      expect(diff, `${which} ${i.file}`).toBeLessThanOrEqual(1e-4);
    }
    // Same images, same probabilities, same threshold: the CLI's AUC is the page's.
    expect(cli.all!.rocAuc!).toBeCloseTo(side.all!.rocAuc!, 3);
  }
  console.log(`adapt e2e: AUC before ${aucBefore.toFixed(3)}, after ${aucAfter.toFixed(3)}; CLI vs browser max |Δp| ${worst.toExponential(2)} over ${scored.length} test files`);

  // The exported files dropped on "Use another model from this computer" (Classify page) verify and load too.
  await page.goto(`${server.url}/?testHooks=1#/`);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('model-files-input').setInputFiles(readdirSync(EXPORTED).map((f) => join(EXPORTED, f)));
  await expect(page.getByTestId('model-id')).toHaveText(web.metadata.modelId, { timeout: 60_000 });
  // A reload (a hash change alone keeps the page) brings the deployed model back; adapt again, all from cache.
  await page.goto(`${server.url}/?testHooks=1#/adapt`);
  await page.reload();
  await expect(page.getByTestId('model-id')).toHaveText(parent.modelId, { timeout: 60_000 });
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('adapt-folder-input').setInputFiles(SET);
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-report')).toHaveAttribute('data-model-id', web.metadata.modelId, { timeout: 200_000 });

  // Use it: kept in Cache Storage and remembered, so a reload starts it again (model-switch.spec.ts has the rest).
  await page.getByTestId('adapt-use').click();
  await expect(page.getByTestId('model-id')).toHaveText(web.metadata.modelId, { timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId('model-id')).toHaveText(web.metadata.modelId, { timeout: 60_000 });
  const kept = page.getByTestId('model-switcher').locator(`[data-model-id="${web.metadata.modelId}"]`);
  await expect(kept).toHaveAttribute('data-in-use', 'true');
  // Its model card says where it came from; the card links back here.
  await page.getByRole('link', { name: 'Model card' }).click();
  await expect(page.getByTestId('card-adaptation')).toContainText(parent.modelId);
  await page.getByTestId('card-adapt-link').click();
  await expect(page.getByTestId('adapt-page')).toBeVisible();

  // Back on the deployed model ("Model in use"), the same folder again: every embedding comes from
  // IndexedDB, and the seeded training gives the same adapted model (same bytes, same id).
  await page.getByTestId('model-switcher').locator(`[data-model-id="${parent.modelId}"]`).getByTestId('model-use').click();
  await expect(page.getByTestId('model-id')).toHaveText(parent.modelId, { timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId('model-id')).toHaveText(parent.modelId, { timeout: 60_000 });
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('adapt-folder-input').setInputFiles(SET);
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-report')).toBeVisible({ timeout: 200_000 });
  await expect(page.getByTestId('adapt-training')).toContainText(`0 computed, ${2 * PER_CLASS} from this browser's cache`);
  await expect(page.getByTestId('adapt-report')).toHaveAttribute('data-model-id', web.metadata.modelId);

  // Offline (the network cut, the service worker serving the app): the kept model is still there and usable.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  await context.setOffline(true);
  try {
    await page.reload();
    await expect(page.getByTestId('model-id')).toHaveText(parent.modelId, { timeout: 60_000 });
    const offlineKept = page.getByTestId('model-switcher').locator(`[data-model-id="${web.metadata.modelId}"]`);
    await offlineKept.getByTestId('model-use').click();
    await expect(page.getByTestId('model-id')).toHaveText(web.metadata.modelId, { timeout: 60_000 });
  } finally {
    await context.setOffline(false);
  }
});

test('cancel stops the adaptation between images, says so, and frees every tensor', async ({ page }) => {
  await page.goto(`${server.url}/?testHooks=1#/adapt`);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  const baseline = await numTensors(page);
  await page.getByTestId('adapt-folder-input').setInputFiles(SET);
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-progress')).toContainText(/Reading images: \d+ of \d+/);
  await page.getByTestId('adapt-cancel').click();
  await expect(page.getByTestId('adapt-error')).toContainText('Adaptation cancelled');
  await expect(page.getByTestId('adapt-report')).toHaveCount(0);
  await expect(page.getByTestId('adapt-start')).toBeEnabled();
  expect(await numTensors(page)).toBe(baseline);
});

test('a folder too small to split meaningfully is refused, with the counts per part', async ({ page }) => {
  await page.goto(`${server.url}/#/adapt`);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('adapt-folder-input').setInputFiles(SMALL);
  await page.getByTestId('adapt-label-map').fill(IQ_LABEL_MAP);
  await page.getByTestId('adapt-start').click();
  await expect(page.getByTestId('adapt-refusal')).toContainText(/Too few images to adapt and judge the result: .*validation has \d "adenocarcinoma"/);
  await expect(page.getByTestId('adapt-error')).toBeVisible();
  await expect(page.getByTestId('adapt-split').locator('tr[data-part="test"]')).toBeVisible();
  await expect(page.getByTestId('adapt-report')).toHaveCount(0);
});
