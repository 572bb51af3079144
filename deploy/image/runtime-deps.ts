/**
 * The runtime image's node_modules: the server workspace's production dependencies and nothing else,
 * at exactly the versions package-lock.json pins (npm ci), without install scripts.
 *
 * It installs in a scratch copy of the manifests, so the checkout's own node_modules (dev tools,
 * training, the SPA's libraries) is never touched and never leaks into the image.
 *
 *   npm run image:runtime-deps -- --out <dir>      → <dir>/node_modules
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVER_WORKSPACE = 'server';

interface Manifest {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

function readManifest(path: string): Manifest {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (err) {
    throw new Error(`${path}: cannot read package manifest: ${(err as Error).message}`, { cause: err });
  }
}

/** Production dependency names of the server workspace: what the runtime must be able to import. */
export function serverDependencies(repoRoot = REPO_ROOT): string[] {
  return Object.keys(readManifest(join(repoRoot, SERVER_WORKSPACE, 'package.json')).dependencies ?? {});
}

/**
 * Installs the server's production dependencies into `<outDir>/node_modules` (which must not exist yet)
 * and `<outDir>/server/node_modules` where npm nests versions that clash with hoisted ones.
 * Returns the installed top-level package names.
 */
export function installRuntimeDeps(outDir: string, repoRoot = REPO_ROOT): string[] {
  const target = join(outDir, 'node_modules');
  if (existsSync(target)) throw new Error(`${target} already exists; stage into a fresh directory`);
  const root = readManifest(join(repoRoot, 'package.json'));
  const work = mkdtempSync(join(tmpdir(), 'respidetect-runtime-deps-'));
  try {
    // npm ci needs the lockfile plus every workspace manifest it names, or it calls the lock out of sync.
    cpSync(join(repoRoot, 'package.json'), join(work, 'package.json'));
    cpSync(join(repoRoot, 'package-lock.json'), join(work, 'package-lock.json'));
    for (const ws of root.workspaces ?? []) {
      mkdirSync(join(work, ws), { recursive: true });
      cpSync(join(repoRoot, ws, 'package.json'), join(work, ws, 'package.json'));
    }
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['ci', '--omit=dev', `--workspace=${SERVER_WORKSPACE}`, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
    const run = spawnSync(npm, args, { cwd: work, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    if (run.status !== 0) {
      throw new Error(`npm ${args.join(' ')} failed (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
    }
    // The server's own node_modules holds versions that clash with hoisted ones (e.g. mime-types@3 beside
    // mime-types@2); Node finds it from server/src first, so it goes to <out>/server/node_modules.
    const trees: Array<[string, string]> = [
      [join(work, 'node_modules'), target],
      [join(work, SERVER_WORKSPACE, 'node_modules'), join(outDir, SERVER_WORKSPACE, 'node_modules')],
    ];
    for (const [from] of trees) if (existsSync(from)) dropWorkspaceLinks(from);
    const missing = serverDependencies(repoRoot).filter((dep) => !trees.some(([from]) => existsSync(join(from, dep, 'package.json'))));
    if (missing.length > 0) throw new Error(`npm ci did not install server dependencies: ${missing.join(', ')}`);
    for (const [from, to] of trees) {
      if (!existsSync(from)) continue;
      mkdirSync(dirname(to), { recursive: true });
      try {
        renameSync(from, to);
      } catch {
        cpSync(from, to, { recursive: true }); // scratch dir on another filesystem (EXDEV)
      }
    }
    return readdirSync(target).filter((n) => !n.startsWith('.'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Workspace links point back into the scratch copy (server/, training/); the stage has its own server/. */
function dropWorkspaceLinks(nodeModules: string): void {
  for (const entry of readdirSync(nodeModules)) {
    const names = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) {
      if (lstatSync(join(nodeModules, name)).isSymbolicLink()) rmSync(join(nodeModules, name));
    }
    if (entry.startsWith('@') && readdirSync(join(nodeModules, entry)).length === 0) rmSync(join(nodeModules, entry), { recursive: true });
  }
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: npm run image:runtime-deps -- --out <dir>');
  const names = installRuntimeDeps(resolve(values.out));
  console.log(JSON.stringify({ out: join(resolve(values.out), 'node_modules'), packages: names.length }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    console.error(`image:runtime-deps: ${(err as Error).message}`);
    process.exit(1);
  }
}
