/**
 * Runs bench/browser/ in real Chromium: builds the page once, serves it and the model
 * directories with our own server (same headers as production), and calls `window.bench`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { chromiumLaunchOptions } from '../../testkit/browser/chromium';
import { startServer, type RunningServer } from '../../testkit/browser/site';
import type { BrowserBenchRequest } from '../browser/main';
import type { ModelTiming } from './time-model';
import { REPO } from './results';

export interface BrowserBenchResult {
  backend: string;
  /** WASM threads in use, null off WASM. */
  threads: number | null;
  graph: ModelTiming;
  layers?: ModelTiming;
}

export interface BrowserBench {
  /** `threads`: WASM threads for this run (the page is reloaded with ?threads=N when it changes); omitted: the app's default. */
  run(req: Omit<BrowserBenchRequest, 'graphUrl' | 'layersUrl'> & { graph: string; layers?: string; threads?: number }): Promise<BrowserBenchResult>;
  close(): Promise<void>;
}

/** `models` maps a URL name to a directory; each is served at /models/<name>/. */
export async function openBrowserBench(models: Record<string, string>): Promise<BrowserBench> {
  const root = join(REPO, '.cache', 'bench-web');
  rmSync(root, { recursive: true, force: true });
  execFileSync('npx', ['vite', 'build', '--config', 'bench/browser/vite.config.ts', '--outDir', root], { cwd: REPO, stdio: 'inherit' });
  mkdirSync(join(root, 'models'), { recursive: true });
  for (const [name, dir] of Object.entries(models)) cpSync(dir, join(root, 'models', name), { recursive: true });
  const server: RunningServer = await startServer(root);
  // Chromium on Linux hides WebGPU without --enable-unsafe-webgpu; with it, a GPU machine benches its
  // real adapter, and one without runs WebGPU on SwiftShader (labelled by the run's adapter-less speed).
  const browser: Browser = await chromium.launch({ headless: true, ...chromiumLaunchOptions, args: [...chromiumLaunchOptions.args, '--enable-unsafe-webgpu'] });
  const page = await browser.newPage();
  page.on('pageerror', (e) => process.stderr.write(`bench page error: ${e.message}\n`));
  let loadedWith: number | undefined | null = null;
  const open = async (threads: number | undefined): Promise<void> => {
    if (loadedWith === threads) return;
    await page.goto(`${server.url}/index.html${threads ? `?threads=${threads}` : ''}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    loadedWith = threads;
  };
  return {
    run: async (req) => {
      await open(req.threads);
      return page.evaluate(
        (r) => (window as unknown as { bench: (x: BrowserBenchRequest) => Promise<BrowserBenchResult> }).bench(r),
        {
          backend: req.backend,
          size: req.size,
          iterations: req.iterations,
          graphUrl: `/models/${req.graph}/model.json`,
          layersUrl: req.layers ? `/models/${req.layers}/model.json` : undefined,
        } satisfies BrowserBenchRequest,
      );
    },
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}
