/**
 * Assembles the runtime image's /app from a built checkout: exactly what the Dockerfile's runtime
 * stage copies, so the test suite can start the same tree as a non-root user without a Docker engine.
 *
 *   <out>/dist/               the built SPA (npm run build), optionally with a baked model in dist/model/
 *   <out>/server/             server/package.json and server/src (no tests)
 *   <out>/node_modules/       the server's production dependencies only (runtime-deps.ts)
 *   <out>/healthcheck.mjs     what the image's HEALTHCHECK runs
 *
 *   npm run image:stage -- --out <dir> [--dist <dir>] [--model <model dir>] [--sourcemaps]
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MODEL_DIR, verifyModelFolderSync } from '@respidetect/contract';
import { installRuntimeDeps, REPO_ROOT, SERVER_WORKSPACE } from './runtime-deps';

export interface StageOptions {
  out: string;
  /** The built SPA; default <repo>/dist. */
  dist?: string;
  /** A model directory (model.json, shards, metadata.json) to bake in as dist/model/. */
  model?: string;
  /**
   * Ship source maps (and their .br/.gz) too. Off by default: they are ~3/4 of the built app's bytes
   * and only serve debugging; dist/ keeps them for that (or for an error tracker).
   */
  sourcemaps?: boolean;
  repoRoot?: string;
}

export interface StageReport {
  out: string;
  bytes: { dist: number; server: number; node_modules: number; model: number; total: number };
  modelBaked: boolean;
}

const TEST_FILE = /\.test\.[cm]?[jt]sx?$/;
const SOURCE_MAP = /\.map(\.br|\.gz)?$/;

/** Apparent size of a tree in bytes (what `du --apparent-size -b` reports), without following links. */
export function treeBytes(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of readdirSync(path)) total += treeBytes(join(path, name));
  return total;
}

/**
 * The model bake checks a model with the contract's verifyModelFolderSync, as training's loader and the
 * browser do: a model that would fail in the browser never enters an image. Throws a
 * ModelFileError naming the file by its path.
 */
export function verifyModelDir(dir: string): void {
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  verifyModelFolderSync({ read, absent: 'is not in the directory', name: (file) => join(dir, file) }, sha256);
}

export function stageApp(opts: StageOptions): StageReport {
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const out = resolve(opts.out);
  const dist = resolve(opts.dist ?? join(repoRoot, 'dist'));
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}: no index.html; run \`npm run build\` first`);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out}: not empty; stage into a fresh directory`);
  if (opts.model) verifyModelDir(resolve(opts.model));
  mkdirSync(out, { recursive: true });

  cpSync(dist, join(out, 'dist'), { recursive: true, filter: (src) => opts.sourcemaps || !SOURCE_MAP.test(src) });
  const serverSrc = join(repoRoot, SERVER_WORKSPACE);
  cpSync(join(serverSrc, 'package.json'), join(out, 'server', 'package.json'));
  cpSync(join(serverSrc, 'src'), join(out, 'server', 'src'), {
    recursive: true,
    filter: (src) => !TEST_FILE.test(basename(src)),
  });
  cpSync(fileURLToPath(new URL('./healthcheck.mjs', import.meta.url)), join(out, 'healthcheck.mjs'));
  if (opts.model) {
    // A baked model replaces whatever the build carried over from public/model.
    rmSync(join(out, 'dist', MODEL_DIR), { recursive: true, force: true });
    cpSync(resolve(opts.model), join(out, 'dist', MODEL_DIR), { recursive: true });
  }
  installRuntimeDeps(out, repoRoot);

  const bytes = {
    dist: treeBytes(join(out, 'dist')),
    server: treeBytes(join(out, 'server')) + treeBytes(join(out, 'healthcheck.mjs')),
    node_modules: treeBytes(join(out, 'node_modules')),
    model: treeBytes(join(out, 'dist', MODEL_DIR)),
    total: 0,
  };
  bytes.total = bytes.dist + bytes.server + bytes.node_modules;
  return { out, bytes, modelBaked: Boolean(opts.model) };
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' }, dist: { type: 'string' }, model: { type: 'string' }, sourcemaps: { type: 'boolean' } } });
  if (!values.out) throw new Error('usage: npm run image:stage -- --out <dir> [--dist <dir>] [--model <model dir>] [--sourcemaps]');
  const report = stageApp({ out: values.out, dist: values.dist, model: values.model, sourcemaps: values.sourcemaps });
  console.log(JSON.stringify({ ...report, out: relative(process.cwd(), report.out) || '.' }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`image:stage: ${(err as Error).message}`);
    process.exit(1);
  }
}
