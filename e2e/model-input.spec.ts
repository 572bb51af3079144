/**
 * "What the model saw": for a model trained with source normalisation, the result detail shows
 * the model's input (cropped to the body, padded square, equalised), with the heatmap on it, and
 * the original beside it. The parity spec proves the numbers; this proves the user can see the frame.
 */
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

let server: RunningServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('the result detail shows the model input (square, body only) and the original', async ({ page }) => {
  requireChestCt();
  const { appDir, models } = readState();
  server = await startServer(assembleSite(appDir, models.a!));
  // A non-square Kaggle screenshot, so a square view can only be the cropped, padded input.
  let file: string | undefined;
  for (const f of ctFiles(40, false)) {
    const m = await sharp(f).metadata();
    if (m.width && m.height && Math.abs(m.width - m.height) > 40) {
      file = f;
      break;
    }
  }
  expect(file, 'no non-square CT image among the first 40').toBeDefined();
  const { width, height } = await sharp(file!).metadata();
  await page.goto(server.url);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgl|wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('file-input').setInputFiles([file!]);
  const row = page.getByTestId('result');
  await expect(row).toHaveAttribute('data-status', /^(done|warned)$/, { timeout: 60_000 });
  await row.getByRole('button', { name: /View/ }).click();
  const viewer = page.getByTestId('viewer-canvas');
  const original = page.getByTestId('original-canvas');
  await expect(original).toBeVisible();
  const [vw, vh] = [Number(await viewer.getAttribute('width')), Number(await viewer.getAttribute('height'))];
  expect(vw).toBe(vh);
  const [ow, oh] = [Number(await original.getAttribute('width')), Number(await original.getAttribute('height'))];
  expect(Math.abs(oh / ow - height! / width!)).toBeLessThan(0.02);
  await expect(page.getByTestId('detail')).toContainText('what the model saw');
  // With the heatmap off, the view is the normalised frame: grey (r = g = b) everywhere.
  await page.getByTestId('heatmap-toggle').uncheck();
  const grey = await viewer.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    let nonBlack = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) coloured++;
      if (d[i]! > 0) nonBlack++;
    }
    return { coloured, nonBlack };
  });
  expect(grey.coloured).toBe(0);
  expect(grey.nonBlack).toBeGreaterThan(vw * vh * 0.2);
});
