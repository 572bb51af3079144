/**
 * Backend set-up end to end, in Chromium against the real server (strict CSP, COOP/COEP):
 * explicit WASM thread counts, the start-up self-test's verdicts, and WebGPU where this Chromium
 * has no adapter (headless, SwiftShader only): recorded as not available, never breaking the page.
 */
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { E2E_CACHE } from '../testkit/paths';
import { assembleSite, readState, startServer, type RunningServer } from '../testkit/browser/site';
import { writeSyntheticSet } from '../testkit/images/synthetic';
import { startFaultProxy } from '../testkit/http/fault-proxy';

const BACKEND_TEXT = /^(webgpu|webgl|wasm|cpu)$/;

async function ready(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('backend')).toHaveText(BACKEND_TEXT, { timeout: 120_000 });
}

/** Each file's class probabilities as the page shows them. */
async function classify(page: Page, files: string[]): Promise<Record<string, number[]>> {
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.locator('[data-testid="result"][data-status="done"]')).toHaveCount(files.length, { timeout: 120_000 });
  return Object.fromEntries(
    await page.getByTestId('result').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-file')!, Array.from(r.querySelectorAll('[data-testid="prob"]'), (p) => Number(p.getAttribute('data-value')))] as const),
    ),
  );
}

/** Console errors and CSP reports: a backend that needs something the CSP forbids shows up here. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

test.describe('backends', () => {
  let server: RunningServer;
  let files: string[];
  test.beforeAll(async () => {
    const { appDir, models } = readState();
    // VGG16's graph (64 px, random head): enough convolution work for XNNPACK's threads to split.
    server = await startServer(assembleSite(appDir, models.vgg!));
    const set = await writeSyntheticSet(join(E2E_CACHE, 'backends-fixtures'), { classes: ['a', 'b'], perClass: 2, size: 64, seed: 11 });
    files = Object.values(set).flat();
  });
  test.afterAll(async () => server?.stop());

  test('?threads=N sets the WASM thread count (cross-origin isolated), the page shows it, and 1 and 2 threads agree', async ({ page }) => {
    const problems = watchProblems(page);
    await ready(page, `${server.url}/?backend=wasm&threads=2`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect(page.getByTestId('wasm-threads')).toHaveText('2');
    await expect(page.getByTestId('backend')).toHaveAttribute('data-threads', '2');
    const two = await classify(page, files);

    await ready(page, `${server.url}/?backend=wasm&threads=1`);
    await expect(page.getByTestId('wasm-threads')).toHaveText('1');
    const one = await classify(page, files);
    expect(Object.keys(one).sort()).toEqual(Object.keys(two).sort());
    for (const [f, p] of Object.entries(one)) for (const [k, v] of p.entries()) expect(Math.abs(v - two[f]![k]!), f).toBeLessThan(1e-5);
    expect(problems).toEqual([]);
  });

  // Seen in CI: one of the 8 pthread workers' importScripts() of the factory script was answered
  // net::ERR_ABORTED right after a reload, and Emscripten waited for that thread for ever ("starting…").
  // page.route cannot see requests of workers started by workers, so a real proxy fails them. The
  // service worker is blocked: its precache would fetch the script too, and serve the pthreads from cache.
  const PTHREAD_SCRIPT = /\/tfjs-backend-wasm-threaded-simd-[^/]*\.js$/;
  async function throughProxy(browser: Browser, fail: (path: string, seenBefore: number) => boolean) {
    const proxy = await startFaultProxy(server.url, fail);
    const context = await browser.newContext({ serviceWorkers: 'block' });
    return { proxy, page: await context.newPage(), close: async () => (await context.close(), await proxy.close()) };
  }

  test('a WASM thread whose script fails to load loads it again: the page starts on WASM instead of hanging at "starting…"', async ({ browser }) => {
    let failures = 0;
    const { proxy, page, close } = await throughProxy(browser, (path) => PTHREAD_SCRIPT.test(path) && failures++ < 1);
    try {
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warning' && m.text().startsWith('WASM thread')) warnings.push(m.text());
      });
      await ready(page, `${proxy.url}/?backend=wasm&threads=2`);
      await expect(page.getByTestId('backend')).toHaveText('wasm');
      await expect(page.getByTestId('wasm-threads')).toHaveText('2');
      // One of tfjs's 8 pthread workers failed once and loaded on its retry (the others may be
      // answered from the HTTP cache, so the proxy does not see 8 successful requests).
      expect(proxy.failed).toEqual([expect.stringMatching(PTHREAD_SCRIPT)]);
      expect(proxy.forwarded.filter((p) => PTHREAD_SCRIPT.test(p)).length).toBeGreaterThanOrEqual(1);
      expect(warnings).toEqual([expect.stringMatching(/^WASM thread: loading its script failed .*; retry 1 of 3$/)]);
      expect(Object.keys(await classify(page, files.slice(0, 2)))).toHaveLength(2);
    } finally {
      await close();
    }
  });

  test('a WASM thread that can never load its script ends start-up with the reason, not "starting…" for ever', async ({ browser }) => {
    const { proxy, page, close } = await throughProxy(browser, (path) => PTHREAD_SCRIPT.test(path));
    try {
      await page.goto(`${proxy.url}/?backend=wasm`);
      await expect(page.getByText(/The wasm backend is not available in this browser: a WebAssembly thread could not load \S*tfjs-backend-wasm-threaded-simd-\S*\.js \(4 tries/)).toBeVisible({ timeout: 60_000 });
      // The pool's first worker to fail 4 times ends start-up; the others may still be retrying.
      expect(proxy.failed.length).toBeGreaterThanOrEqual(4);
    } finally {
      await close();
    }
  });

  test('without ?threads the worker uses every core the browser reports (up to 8)', async ({ page }) => {
    await ready(page, `${server.url}/?backend=wasm`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await expect(page.getByTestId('wasm-threads')).toHaveText(String(Math.min(cores, 8)));
  });

  test('a bad ?threads is refused with the reason, not silently ignored', async ({ page }) => {
    await page.goto(`${server.url}/?backend=wasm&threads=64`);
    await expect(page.getByText('?threads=64 is not a thread count; use 1 to 8')).toBeVisible({ timeout: 60_000 });
  });

  test('first visit: the self-test records WebGPU as not available here, does not time CPU, and the page classifies on its choice', async ({ page }) => {
    const problems = watchProblems(page);
    const gpu = await page.evaluate(async () => {
      const g = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return g ? (await g.requestAdapter()) !== null : false;
    });
    test.skip(gpu, 'this Chromium has a WebGPU adapter: the not-available path cannot be shown here');
    await ready(page, `${server.url}/`);
    const selfTest = page.getByTestId('self-test');
    await selfTest.locator('summary').click();
    await expect(selfTest.locator('li[data-backend="webgpu"]')).toHaveText('webgpu: not available in this browser');
    await expect(selfTest.locator('li[data-backend="wasm"]')).toHaveAttribute('data-ok', 'true');
    // This Chromium's WebGL is SwiftShader: not probed once WASM passed (seconds of synchronous shader compilation).
    await expect(selfTest.locator('li[data-backend="webgl"]')).toHaveText('webgl: not timed: software WebGL (SwiftShader), on the same cores as WASM, which works');
    await expect(selfTest.locator('li[data-backend="cpu"]')).toHaveText('cpu: not timed: wasm works (CPU is the last resort)');
    console.log(`self-test here: ${(await selfTest.locator('li').allTextContents()).join('; ')}`);
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    const out = await classify(page, files.slice(0, 2));
    expect(Object.keys(out)).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  test('?backend=webgpu forces WebGPU: where there is no adapter the page says so and offers no silent fallback', async ({ page }) => {
    const gpu = await page.evaluate(async () => {
      const g = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return g ? (await g.requestAdapter()) !== null : false;
    });
    if (gpu) {
      await ready(page, `${server.url}/?backend=webgpu`);
      await expect(page.getByTestId('backend')).toHaveText('webgpu');
      expect(Object.keys(await classify(page, files.slice(0, 2)))).toHaveLength(2);
    } else {
      await page.goto(`${server.url}/?backend=webgpu`);
      await expect(page.getByText('The webgpu backend is not available in this browser')).toBeVisible({ timeout: 60_000 });
    }
  });
});
