/**
 * "Check this model on my labelled images" against `npm run validate`: the same model (CLI-trained,
 * with OOD statistics), the same labelled folder (a renamed class folder, two folders mapped to one
 * class, an unmapped one, photos, a file that is not an image), once through the real CLI and once through the page in Chromium
 * against the real server. Both call the contract's externalReport: counts must be equal exactly
 * and the AUC within 1e-6; and the page makes no request while it checks (no image leaves).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ExternalReport } from '@respidetect/contract';
import { E2E_CACHE, NON_CT_DIR, REPO } from '../testkit/paths';
import { writeSyntheticSet } from '../testkit/images/synthetic';
import { withOodStats } from '../testkit/models/ood-model';
import { assembleSite, readState, startServer, tinyModelDataDir, type RunningServer } from '../testkit/browser/site';
import { callHook } from '../testkit/browser/hooks';

const SET = join(E2E_CACHE, 'check-set');
const OUT = join(E2E_CACHE, 'check-cli');
// Two folders to one class, as the issue allows.
const LABELS = 'malignant=adenocarcinoma, benign=adenocarcinoma, normal=normal';

let server: RunningServer;
let cli: ExternalReport;

test.beforeAll(async () => {
  rmSync(SET, { recursive: true, force: true });
  // Classes 0 and 1 as the model was trained on them (new seed: images it has not seen), then a third kind.
  await writeSyntheticSet(SET, { classes: ['adenocarcinoma', 'normal', 'benign'], perClass: 10, seed: 11 });
  renameSync(join(SET, 'adenocarcinoma'), join(SET, 'malignant'));
  copyFileSync(join(NON_CT_DIR, 'photos', 'dog.jpg'), join(SET, 'normal', 'dog.jpg'));
  writeFileSync(join(SET, 'malignant', 'notes.png'), 'these are notes, not an image\n');
  // A folder the map leaves out: reported apart.
  mkdirSync(join(SET, 'photos'));
  for (const p of ['camera.png', 'horse.png', 'text.png']) copyFileSync(join(NON_CT_DIR, 'photos', p), join(SET, 'photos', p));
  mkdirSync(OUT, { recursive: true });
  // The barely trained model (probabilities away from 0 and 1, so the ranking is imperfect and the AUC
  // comparison means something), with OOD statistics fitted as the exporter fits them, so refusals count.
  const { dir: model } = await withOodStats(readState().models.soft!, tinyModelDataDir({ seed: 3 }), join(E2E_CACHE, 'model-soft-ood'));
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'training/src/cli.ts', 'validate', '--model', model, '--data', SET, '--label-map', LABELS, '--name', 'check-set', '--out', OUT], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, RESPIDETECT_QUIET: '1' },
  });
  expect(res.status, res.stderr).toBe(0);
  cli = JSON.parse(readFileSync(join(OUT, 'check-set.json'), 'utf8')) as ExternalReport;
  server = await startServer(assembleSite(readState().appDir, model));
});
test.afterAll(async () => server?.stop());

test('the browser check equals npm run validate: exact counts, AUC within 1e-6, no request while checking', async ({ page }) => {
  await page.goto(`${server.url}/?testHooks=1#/check`);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await callHook(page, 'updateChecked');
  await page.getByTestId('check-folder').setInputFiles(SET);
  await expect(page.getByTestId('check-picked')).toContainText('35 files in 4 folders (benign, malignant, normal, photos)');
  // The default map names only folders called like a model class; "malignant" needs the user's map.
  await expect(page.getByTestId('check-label-map')).toHaveValue('normal=normal');
  await page.getByTestId('check-label-map').fill('malignant=adenocarcinoma, normall=normal');
  await expect(page.getByTestId('check-label-error')).toContainText('folder "normall" is not in the data');
  await expect(page.getByTestId('check-start')).toBeDisabled();
  await page.getByTestId('check-label-map').fill(LABELS);

  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.getByTestId('check-start').click();
  await expect(page.getByTestId('check-report')).toBeVisible({ timeout: 150_000 });
  expect(requests, 'no request while checking: the images stay in the browser').toEqual([]);
  await expect(page.getByTestId('check-failures')).toContainText('malignant/notes.png');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('check-download').click()]);
  const web = JSON.parse(readFileSync((await download.path())!, 'utf8')) as ExternalReport;

  expect(web.modelId).toBe(cli.modelId);
  expect(web.dataset.hash).toBe(cli.dataset.hash);
  expect(web.labelMap).toEqual(cli.labelMap);
  expect(web.counts).toEqual(cli.counts);
  expect(cli.counts).toMatchObject({ files: 35, failed: 1, unmapped: 3 });
  expect(cli.all!.rocAuc, 'a set where the ranking is imperfect').toBeLessThan(1);
  expect(web.failures.map((f) => f.file)).toEqual(cli.failures.map((f) => f.file));
  const folderCounts = (r: ExternalReport) =>
    Object.fromEntries(Object.entries(r.perFolder).map(([k, f]) => [k, { files: f.files, failed: f.failed, scored: f.scored, refused: f.refused, warned: f.warned, decisions: f.decisions }]));
  expect(folderCounts(web)).toEqual(folderCounts(cli));
  for (const part of ['all', 'accepted'] as const) {
    const w = web[part]!;
    const c = cli[part]!;
    expect(w.nPerClass, part).toEqual(c.nPerClass);
    expect(w.atShippedThreshold.counts, part).toEqual(c.atShippedThreshold.counts);
    expect(w.argmax.confusionMatrix, part).toEqual(c.argmax.confusionMatrix);
    expect(w.rocAuc === null, part).toBe(c.rocAuc === null);
    if (c.rocAuc !== null) expect(Math.abs(w.rocAuc! - c.rocAuc), `${part} AUC: browser ${w.rocAuc}, CLI ${c.rocAuc}`).toBeLessThanOrEqual(1e-6);
  }
  // The photos are refused by the not-a-chest-CT rule on both sides (no prediction), each with the rule's reason.
  expect(cli.counts.refused, 'dog.jpg and the three photos').toBe(4);
  expect(web.items.filter((i) => i.status === 'refused').map((i) => i.file).sort()).toEqual(cli.items.filter((i) => i.status === 'refused').map((i) => i.file).sort());
  expect(web.items.find((i) => i.file === 'normal/dog.jpg')!.reason).toMatch(/Not a chest CT/);
  // The report shows its pictures, and exports the per-file rows as CSV.
  const all = page.getByTestId('check-figures-all');
  await expect(all.getByTestId('check-roc')).toBeVisible();
  await expect(all.getByTestId('check-calibration')).toBeVisible();
  await expect(all.getByTestId('check-confusion').locator('tbody tr')).toHaveCount(2);
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('check-download-csv').click()]);
  const csv = readFileSync((await csvDownload.path())!, 'utf8').trim().split('\r\n');
  expect(csv[0]).toMatch(/^file,folder,label,status,outcome,reason,decision,p_adenocarcinoma,ood_score/);
  expect(csv).toHaveLength(web.items.length + 1);
  // Per file, the probabilities agree to float precision across backends (the decisions above are exact).
  const cliItems = new Map(cli.items.map((i) => [i.file, i]));
  for (const i of web.items) if (i.status === 'scored') expect(Math.abs(i.positiveProbability! - cliItems.get(i.file)!.positiveProbability!), i.file).toBeLessThan(1e-3);
});
