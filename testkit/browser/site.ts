/**
 * Real parts for browser tests: the app built by Vite, models trained by the real CLI, the real
 * server/ process on a loopback port.
 */
import { spawnServer } from '../server/spawn';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_CACHE, REPO, STATE_FILE } from '../paths';
import { writeSyntheticSet } from '../images/synthetic';
import { MODEL_DIR } from '@respidetect/contract';

export interface E2eState {
  /** The built SPA without any model. */
  appDir: string;
  /** Model directories trained by the CLI, by name. */
  models: Record<string, string>;
}

export const readState = (): E2eState => JSON.parse(readFileSync(STATE_FILE, 'utf8')) as E2eState;

/**
 * Builds the app into outDir. `testHooks` makes a test build (src/app/test-hooks.ts compiled in,
 * behind ?testHooks); benches and the bundle check build exactly what production ships.
 */
export function buildApp(outDir: string, { testHooks = true }: { testHooks?: boolean } = {}): void {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, RESPIDETECT_TEST_HOOKS: testHooks ? '1' : '0' } });
}

export interface TinyModelOptions {
  classes?: string[];
  seed?: number;
  imageSize?: number;
  epochs?: number;
  learningRate?: number;
  perClass?: number;
}

/** Where trainTinyModel writes the generated images it trains on. */
export const tinyModelDataDir = (opts: TinyModelOptions = {}): string => join(E2E_CACHE, `data-${opts.seed ?? 1}-${(opts.classes ?? []).join('_') || 'default'}`);

/** Trains a small model with the real CLI on generated images; returns its model directory. */
export async function trainTinyModel(outDir: string, opts: TinyModelOptions = {}): Promise<string> {
  const data = tinyModelDataDir(opts);
  rmSync(data, { recursive: true, force: true });
  await writeSyntheticSet(data, { classes: opts.classes ?? ['adenocarcinoma', 'normal'], perClass: opts.perClass ?? 24, seed: opts.seed ?? 1 });
  execFileSync(
    process.execPath,
    [
      '--import', 'tsx', 'training/src/cli.ts', 'train',
      '--data', data,
      '--out', outDir,
      '--image-size', String(opts.imageSize ?? 32),
      '--epochs', String(opts.epochs ?? 4),
      '--seed', String(opts.seed ?? 1),
      ...(opts.learningRate ? ['--learning-rate', String(opts.learningRate)] : []),
    ],
    { cwd: REPO, stdio: 'inherit', env: { ...process.env, RESPIDETECT_QUIET: '1' } },
  );
  return outDir;
}

/** A servable root: the built app plus, optionally, a model under /model. */
export function assembleSite(appDir: string, modelDir: string | null): string {
  // Benches call this on a fresh clone too, where no e2e run has created the cache yet.
  mkdirSync(E2E_CACHE, { recursive: true });
  const root = mkdtempSync(join(E2E_CACHE, 'site-'));
  cpSync(appDir, root, { recursive: true });
  rmSync(join(root, MODEL_DIR), { recursive: true, force: true });
  if (modelDir) cpSync(modelDir, join(root, MODEL_DIR), { recursive: true });
  return root;
}

export interface RunningServer {
  url: string;
  root: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts the real server/ on port 0 (the kernel picks a free one, no window for another process
 * to take it) and resolves when it logs the port it listens on.
 */
export async function startServer(root: string): Promise<RunningServer> {
  const { child, port, exited } = await spawnServer({ ROOT: root, LOG_LEVEL: 'info' }, 15_000);
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export const hasModel = (dir: string): boolean => existsSync(join(dir, 'model.json')) && existsSync(join(dir, 'metadata.json'));
