/**
 * The Docker image's runtime stage, reproduced without a Docker engine from the same npm scripts the
 * Dockerfile runs: build the SPA, stage dist + server + production deps into a directory OUTSIDE the
 * repository, then start the real server from it as the Dockerfile's unprivileged USER (no groups),
 * and drive it over loopback.
 */
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './image/runtime-deps';
import { stageApp, verifyModelDir, type StageReport } from './image/stage';
import { runtimeUser } from '../testkit/deploy/dockerfile-rules';
import { makeFixture, type Fixture } from '../testkit/server/fixture';
import { requireTool } from '../testkit/require-tool';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
/** The Dockerfile's USER, so the test runs the server as the image would. */
const APP_USER = runtimeUser(DOCKERFILE);
/** setpriv (util-linux) drops to the user without a login shell or PAM, like Docker's USER. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
/**
 * Whether this process may become the image's user: as root (.ci/run), or when setpriv holds
 * CAP_SETUID/CAP_SETGID, which ci.yml grants it on GitHub's non-root runner. Probed for real.
 */
const CAN_DROP = SETPRIV !== undefined && spawnSync(SETPRIV, [`--reuid=${APP_USER.uid}`, `--regid=${APP_USER.gid}`, '--clear-groups', '--', 'true']).status === 0;
const dropOk = requireTool(
  "deploy/image.test.ts (server as the image's user)",
  `the right to switch to uid ${APP_USER.uid} (this is uid ${process.getuid?.()}; setpriv ${SETPRIV ?? 'not installed'})`,
  CAN_DROP,
  'run as root, or: sudo setcap cap_setuid,cap_setgid+ep "$(readlink -f "$(command -v setpriv)")", as ci.yml does',
);
/** The image target (ci.yml checks the real image against the same number on GitHub's runners). */
const IMAGE_LIMIT_BYTES = 150_000_000;
/**
 * The runtime image minus /app: alpine:3.23 (~8.5 MB unpacked) + libstdc++/libgcc (~3 MB) + the node
 * binary. The binary is measured (this machine's Node 20 build stands in for the musl one); the rest
 * is Alpine's published size, rounded up.
 */
const ALPINE_AND_LIBS_BYTES = 12_000_000;

let work: string;
let stage: string;
let report: StageReport;

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      out.push(relative(dir, full));
      if (e.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs `argv` as the image's uid/gid from the stage dir with only the variables the image sets. */
function asAppUser(argv: string[], env: Record<string, string>, cwd = stage): ChildProcess {
  if (!SETPRIV) throw new Error('setpriv (util-linux) is required to drop privileges');
  return spawn(SETPRIV, [`--reuid=${APP_USER.uid}`, `--regid=${APP_USER.gid}`, '--clear-groups', '--', ...argv], {
    cwd,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function uidOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  if (!m) throw new Error(`no Uid line in /proc/${pid}/status`);
  return Number(m[2]);
}

interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  logs: () => string;
}

/**
 * Starts the staged server as the app user, without ROOT (it must find dist/ from its own location),
 * on port 0: it logs the port the kernel gave it, so no other process can be answering instead.
 */
async function startStaged(appDir: string): Promise<Started> {
  const child = asAppUser([process.execPath, join(appDir, 'server', 'src', 'main.js')], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, appDir);
  let logs = '';
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not log "listening" within 15 s:\n${logs}`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs}`));
    });
    child.stdout?.on('data', (d: Buffer) => {
      logs += d.toString();
      for (const line of logs.split('\n')) {
        const m = /"msg":"listening".*"port":(\d+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      }
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, port, logs: () => logs };
}

function runHealthcheck(port: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = asAppUser([process.execPath, join(stage, 'healthcheck.mjs')], { PORT: String(port) });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'respidetect-image-'));
  // The image copies /app owned by root and world-readable; the unprivileged user must reach it.
  chmodSync(work, 0o755);
  const dist = join(work, 'build');
  // What `npm run build` does (vite build + postbuild precompress), into a scratch dir so the
  // checkout's dist/ is left alone. Type checking is the typecheck script's job, not repeated here.
  const vite = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // Vitest sets NODE_ENV=test, which would give a development build (e.g. an unminified service worker).
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (vite.status !== 0) throw new Error(`vite build failed:\n${vite.stdout}${vite.stderr}`);
  const pre = spawnSync(process.execPath, [join(REPO_ROOT, 'server', 'src', 'precompress.js'), dist], { encoding: 'utf8' });
  if (pre.status !== 0) throw new Error(`precompress failed:\n${pre.stdout}${pre.stderr}`);
  stage = join(work, 'app');
  report = stageApp({ out: stage, dist });
  console.log(`image stage: ${JSON.stringify(report.bytes)}`);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the built app (what the image serves)', () => {
  // The DICOM reader lives in the contract, which the page imports too; the page must still not
  // download dcmjs (~600 kB), which only the worker uses. DicomMessage is dcmjs's reader class.
  it('the page\'s entry chunk leaves dcmjs to the worker\'s chunk', () => {
    const assets = join(stage, 'dist', 'assets');
    const entry = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(readFileSync(join(stage, 'dist', 'index.html'), 'utf8'))?.[1];
    expect(entry, 'no entry script in index.html').toBeDefined();
    const workers = readdirSync(assets).filter((f) => /^worker-.*\.js$/.test(f));
    expect(workers.some((w) => readFileSync(join(assets, w), 'utf8').includes('DicomMessage')), 'the worker reads DICOM with dcmjs').toBe(true);
    expect(readFileSync(join(assets, entry!), 'utf8').includes('DicomMessage')).toBe(false);
  });
});

describe('staged runtime (the image /app)', () => {
  it('holds only dist, server (no tests), production deps and the healthcheck', () => {
    expect(readdirSync(stage).sort()).toEqual(['dist', 'healthcheck.mjs', 'node_modules', 'server']);
    expect(existsSync(join(stage, 'dist', 'index.html'))).toBe(true);
    expect(existsSync(join(stage, 'server', 'src', 'main.js'))).toBe(true);
    const files = listTree(stage);
    expect(files.filter((f) => /\.test\.[cm]?[jt]sx?$/.test(f))).toEqual([]);
    // Dev tooling and the app's own libraries stay in the build stage.
    for (const devOnly of ['vite', 'typescript', 'vitest', 'react', '@tensorflow', 'sharp', 'tsx', 'eslint']) {
      expect(existsSync(join(stage, 'node_modules', devOnly)), `${devOnly} must not be in the runtime`).toBe(false);
    }
  });

  it('is self-contained: lives outside the repository with no node_modules above it', () => {
    expect(relative(REPO_ROOT, stage).startsWith('..')).toBe(true);
    for (let d = dirname(stage); d !== dirname(d); d = dirname(d)) {
      expect(existsSync(join(d, 'node_modules')), `${d}${sep}node_modules would leak modules into the runtime`).toBe(false);
    }
  });

  it('keeps the estimated image under 150 MB without a model', () => {
    expect(report.bytes.model).toBe(0);
    const node = statSync(process.execPath).size;
    const estimate = ALPINE_AND_LIBS_BYTES + node + report.bytes.total;
    console.log(`image estimate: ${JSON.stringify({ alpineAndLibs: ALPINE_AND_LIBS_BYTES, node, app: report.bytes, estimate })}`);
    expect(estimate).toBeLessThan(IMAGE_LIMIT_BYTES);
  });

  it('leaves source maps out, but everything the service worker precaches in', () => {
    const files = listTree(join(stage, 'dist'));
    expect(files.filter((f) => f.endsWith('.map') || f.endsWith('.map.br') || f.endsWith('.map.gz'))).toEqual([]);
    const sw = join(stage, 'dist', 'sw.js');
    if (existsSync(sw)) {
      const precached = [...readFileSync(sw, 'utf8').matchAll(/["']?url["']?\s*:\s*["']([^"']+)["']/g)].map((m) => m[1]!);
      expect(precached.length).toBeGreaterThan(0);
      expect(precached.filter((u) => !existsSync(join(stage, 'dist', u)))).toEqual([]);
    }
  });

  it('refuses to stage into a non-empty directory or from a missing build', () => {
    expect(() => stageApp({ out: stage, dist: join(stage, 'dist') })).toThrow(/not empty/);
    expect(() => stageApp({ out: join(work, 'other'), dist: join(work, 'nope') })).toThrow(/nope: no index\.html; run `npm run build` first/);
  });
});

describe('model baking checks the model before it enters an image', () => {
  it('names the missing metadata.json', () => {
    const dir = join(work, 'model-empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), '{}');
    expect(() => verifyModelDir(dir)).toThrow(`${join(dir, 'metadata.json')}: is missing`);
  });

  it('names the bad field of metadata.json', () => {
    const dir = join(work, 'model-badmeta');
    mkdirSync(dir);
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ schemaVersion: 1 }));
    expect(() => verifyModelDir(dir)).toThrow(`${join(dir, 'metadata.json')}: field "`);
  });
});

describe('a model baked in by `npm run image:stage -- --model` (the Dockerfile\'s MODEL=baked path)', () => {
  let fixture: Fixture;
  let baked: string;
  let started: Started | undefined;

  beforeAll(() => {
    // A model directory that passes the real contract (the server tests' fixture: model.json, two shards,
    // metadata.json with their sha256).
    fixture = makeFixture({ shardBytes: 64 * 1024 });
    baked = join(work, 'app-baked');
    const run = spawnSync('npm', ['run', '--silent', 'image:stage', '--', '--out', baked, '--dist', join(work, 'build'), '--model', join(fixture.root, 'model')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`image:stage --model failed:\n${run.stdout}${run.stderr}`);
  }, 120_000);

  afterAll(() => {
    if (started && started.child.exitCode === null) started.child.kill('SIGKILL');
    fixture?.cleanup();
  });

  it('refuses a model whose files do not match metadata.json', () => {
    const copy = join(work, 'model-tampered');
    cpSync(join(fixture.root, 'model'), copy, { recursive: true });
    const shard = readdirSync(copy).find((f) => f.endsWith('.bin'))!;
    writeFileSync(join(copy, shard), 'tampered');
    expect(() => verifyModelDir(copy)).toThrow(new RegExp(`${shard}: sha256 [0-9a-f]{64} does not match metadata\\.json`));
  });

  it.runIf(dropOk)('serves the baked model and reports ready', async () => {
    started = await startStaged(baked);
    const ready = await fetch(`${started.url}/readyz`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    const modelJson = await fetch(`${started.url}/model/model.json`);
    expect(modelJson.status).toBe(200);
    expect(Buffer.from(await modelJson.arrayBuffer()).equals(readFileSync(join(fixture.root, 'model', 'model.json')))).toBe(true);
  });
});

describe.runIf(dropOk)("the real server started from the stage as the image's non-root user", () => {
  let server: ChildProcess;
  let port: number;
  let url: string;
  let before: string[];

  beforeAll(async () => {
    before = listTree(stage);
    ({ child: server, url, port } = await startStaged(stage));
  }, 30_000);

  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
  });

  it('runs as the unprivileged user', () => {
    // setpriv execs node in place, so the child's pid is the server's.
    expect(uidOf(server.pid!)).toBe(APP_USER.uid);
    expect(APP_USER.uid).not.toBe(0);
  });

  it('answers /healthz and serves the app at /', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const home = await fetch(`${url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await home.text();
    expect(html).toMatch(/<script type="module"[^>]+src="\/assets\/[^"]+\.js"/);
    // The bundle the page references is served from the stage too.
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('reports not ready, with the reason, when the image carries no model', async () => {
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/no model deployed/);
  });

  it("passes the image's HEALTHCHECK command, which fails when nothing listens", async () => {
    expect(await runHealthcheck(port)).toMatchObject({ code: 0 });
    // A port we hold, where every connection is dropped unanswered: a server that is up but dead.
    const dead = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const idle = (dead.address() as net.AddressInfo).port;
    try {
      const down = await runHealthcheck(idle);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain(`http://127.0.0.1:${idle}/healthz failed`);
    } finally {
      await new Promise((resolve) => dead.close(resolve));
    }
  });

  it('wrote nothing into the app tree (works on a read-only root filesystem)', () => {
    expect(listTree(stage)).toEqual(before);
    // Owned by root and not writable by others, as COPY --chown=0:0 leaves it in the image.
    expect(statSync(join(stage, 'dist', 'index.html')).mode & 0o002).toBe(0);
  });

  it('exits 0 on SIGTERM (docker stop)', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
