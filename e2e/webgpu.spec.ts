/**
 * WebGPU computed for real: headless Chromium offers no adapter by default, but with
 * --enable-unsafe-webgpu it runs WebGPU on SwiftShader (Vulkan on the CPU). This file's browser is
 * launched with that flag (the rest of the suite keeps the default, where e2e/backends.spec.ts
 * tests the not-available path). On a machine with a GPU the same tests run on it.
 */
import { expect, test } from '@playwright/test';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { ctFiles, requireChestCt } from '../testkit/images/ct-files';
import { classifyInBrowser, compare, nodeProbabilities, webGpuAdapter } from '../testkit/browser/parity';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';

test.use({ launchOptions: { ...chromiumLaunchOptions, args: [...chromiumLaunchOptions.args, '--enable-unsafe-webgpu'] } });

let server: RunningServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('VGG16 float16 graph at 64 px: Chromium webgpu vs Node on 8 real CT images within 1e-3', async ({ page }) => {
  // WebGPU on SwiftShader: ~10 s a slice on two busy cores, so fewer images than parity.spec.ts's 20.
  test.setTimeout(480_000);
  requireChestCt();
  const state = readState();
  const modelDir = state.models.vgg!;
  server = await startServer(assembleSite(state.appDir, modelDir));
  test.skip(!(await webGpuAdapter(page, server.url)), 'this Chromium exposes no WebGPU adapter even with --enable-unsafe-webgpu (e2e/backends.spec.ts tests the not-available path)');
  const files = ctFiles(8);
  const shown = await classifyInBrowser(page, server.url, 'webgpu', files, modelDir, 360_000);
  const { maxDiff, unsaturated, spread } = compare(shown, await nodeProbabilities(modelDir, files));
  test.info().annotations.push({ type: 'max |Δp|', description: maxDiff.toExponential(3) });
  console.log(`parity VGG16 float16 64px, webgpu: max |Δp| ${maxDiff.toExponential(3)} over ${files.length} images (${unsaturated} unsaturated probabilities, spread ${spread.toFixed(3)})`);
  expect(unsaturated).toBeGreaterThan(4);
  expect(spread, 'probabilities barely vary: the comparison would prove nothing').toBeGreaterThan(10 * 1e-3);
  expect(maxDiff).toBeLessThan(1e-3);
});

test('first visit with an adapter: WebGPU is a self-test candidate, checked against WASM like the others', async ({ page }) => {
  const state = readState();
  server = await startServer(assembleSite(state.appDir, state.models.vgg!));
  test.skip(!(await webGpuAdapter(page, server.url)), 'no WebGPU adapter even with --enable-unsafe-webgpu');
  await page.goto(server.url);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm)$/, { timeout: 120_000 });
  const selfTest = page.getByTestId('self-test');
  await selfTest.locator('summary').click();
  const verdict = (await selfTest.locator('li[data-backend="webgpu"]').textContent())!;
  console.log(`self-test with a WebGPU adapter: ${(await selfTest.locator('li').allTextContents()).join('; ')}`);
  // It ran: passed (and agreed with WASM), or was stopped as slower; never "not available".
  expect(verdict).toMatch(/^webgpu: (passed, \d+ ms|stopped after \d+ ms: not 2x faster than wasm \(\d+ ms\))$/);
});
