/**
 * The first run, in Chromium against the real server with no model deployed: the page offers a
 * model from this computer right away and names the three ways to deploy one; a quick model
 * loaded that way classifies, and its card says what its figures cannot claim.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_CACHE, REPO } from '../testkit/paths';
import { writeSyntheticSet } from '../testkit/images/synthetic';
import { assembleSite, readState, startServer } from '../testkit/browser/site';

// Read, not imported: Playwright loads specs as ES modules, where a JSON import needs an import attribute.
const getAModel = JSON.parse(readFileSync(join(REPO, 'server/src/get-a-model.json'), 'utf8')) as { ways: { command: string }[] };

test('no model deployed: the page loads a quick model from this computer, classifies with it, and its card is honest about it', async ({ page }) => {
  const { appDir, models } = readState();
  const server = await startServer(assembleSite(appDir, null));
  try {
    await page.goto(`${server.url}/?backend=wasm`);
    const noModel = page.getByTestId('no-model');
    await expect(noModel).toContainText('No model is deployed');
    for (const way of ['npm run pipeline', 'dvc pull', 'npm run train -- --data DIR']) await expect(page.getByTestId('get-a-model')).toContainText(way);
    expect(getAModel.ways.map((w) => w.command)).toEqual(['npm run pipeline', 'dvc pull', 'npm run train -- --data DIR']);

    // Offered directly: open, with its file input on the no-model page itself.
    const loader = noModel.getByTestId('local-model');
    await expect(loader).toHaveAttribute('open', '');
    await expect(loader.locator('summary')).toHaveText('Use another model from this computer');
    await expect(loader.getByTestId('model-dropzone')).toBeVisible();

    const a = models.a!;
    const meta = JSON.parse(readFileSync(join(a, 'metadata.json'), 'utf8')) as { modelId: string; evaluation?: { method: string } };
    expect(meta.evaluation?.method).toBe('quick');
    await loader.getByTestId('model-files-input').setInputFiles(readdirSync(a).map((f) => join(a, f)));
    // Verified and in use: the no-model page gives way to the classify page under that model id.
    await expect(page.getByTestId('model-id')).toHaveText(meta.modelId);
    await expect(page.getByTestId('no-model')).toHaveCount(0);
    await expect(page.getByTestId('backend')).toHaveText('wasm', { timeout: 120_000 });

    const images = Object.values(await writeSyntheticSet(join(E2E_CACHE, 'first-run-images'), { classes: ['adenocarcinoma', 'normal'], perClass: 2, size: 48, seed: 31 })).flat();
    await page.getByTestId('file-input').setInputFiles(images);
    await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(images.length);

    await page.getByRole('link', { name: 'Model card' }).click();
    await expect(page.getByTestId('model-card')).toContainText(meta.modelId);
    await expect(page.getByTestId('quick-model-note')).toContainText('Quick model: no validation split, no calibration.');
    // Model a holds out about 5 images per class: far too few to conclude from.
    await expect(page.getByTestId('too-small-note')).toContainText(/fewer than 20 held-out images of Adenocarcinoma \(n = \d\), Normal \(n = \d\)/);
    await expect(page.getByTestId('grouping-note')).toContainText(/Split by duplicate group: \d+ groups .*no group is on both sides/);
  } finally {
    await server.stop();
  }
});
