/**
 * The real PACS for tests: Orthanc from Debian with its DICOMweb plugin, started on a free loopback
 * port with the repo's config (deploy/pacs/orthanc.json) and a temp storage folder, and, in front of
 * it, the real nginx with the repo's CORS block (deploy/pacs/nginx-cors.conf). No mock: what the
 * page and the contract's DICOMweb code talk to here is what a lab runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../paths';
import { requireTool } from '../require-tool';
import { freePort } from '../server/http';
import { NGINX_BIN, nginxAvailable } from '../server/nginx';

export const ORTHANC_BIN = process.env.ORTHANC_BIN ?? '/usr/sbin/Orthanc';
export const ORTHANC_CONF = path.join(REPO, 'deploy', 'pacs', 'orthanc.json');
export const CORS_CONF = path.join(REPO, 'deploy', 'pacs', 'nginx-cors.conf');
export const SAME_ORIGIN_CONF = path.join(REPO, 'deploy', 'pacs', 'nginx-same-origin.conf');
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** Whether the PACS tests can run (Orthanc, its DICOMweb plugin, nginx); under CI=true a missing one fails. */
export function requirePacs(what: string): boolean {
  return (
    requireTool(what, ORTHANC_BIN, fs.existsSync(ORTHANC_BIN), 'apt-get install -y orthanc') &&
    requireTool(what, DICOMWEB_PLUGIN, fs.existsSync(DICOMWEB_PLUGIN), 'apt-get install -y orthanc-dicomweb') &&
    requireTool(what, NGINX_BIN, nginxAvailable(), 'apt-get install -y nginx')
  );
}

export interface Credentials {
  user: string;
  password: string;
}

export interface RunningOrthanc {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** The DICOMweb root: <url>/dicom-web */
  dicomWeb: string;
  auth: Credentials | null;
  /** Headers that authenticate against this instance (none without auth). */
  headers(): Record<string, string>;
  /** Stores Part 10 files through Orthanc's REST API (POST /instances); returns their Orthanc ids. */
  upload(files: readonly Uint8Array[]): Promise<string[]>;
  /** Orthanc's log so far (stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${what} exited at start-up:\n${dead}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts Orthanc; with `auth`, HTTP basic authentication is on and that user is its one user. */
export async function startOrthanc(opts: { auth?: Credentials } = {}): Promise<RunningOrthanc> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-orthanc-'));
  const port = await freePort();
  const conf = JSON.parse(fs.readFileSync(ORTHANC_CONF, 'utf8')) as Record<string, unknown>;
  Object.assign(conf, {
    HttpPort: port,
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    AuthenticationEnabled: Boolean(opts.auth),
    RegisteredUsers: opts.auth ? { [opts.auth.user]: opts.auth.password } : {},
  });
  fs.writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(conf, null, 2));
  const child = spawn(ORTHANC_BIN, ['--logdir=' + dir, path.join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const auth = opts.auth ?? null;
  const headers = (): Record<string, string> => (auth ? { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` } : {});
  const log = () => stderr + readLogs(dir);
  try {
    await waitFor(async () => (await fetch(`${url}/system`, { headers: headers() })).ok, `Orthanc on 127.0.0.1:${port}`, 20_000, () =>
      child.exitCode !== null ? log() : null,
    );
  } catch (e) {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url,
    dicomWeb: `${url}/dicom-web`,
    auth,
    headers,
    log,
    async upload(files) {
      const ids: string[] = [];
      for (const f of files) {
        const res = await fetch(`${url}/instances`, { method: 'POST', headers: { ...headers(), 'content-type': 'application/dicom' }, body: new Uint8Array(f) });
        const body = (await res.json()) as { ID?: string; Status?: string };
        if (!res.ok || !body.ID) throw new Error(`Orthanc refused an upload: HTTP ${res.status} ${JSON.stringify(body)}`);
        ids.push(body.ID);
      }
      return ids;
    },
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLogs(dir: string): string {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

export interface RunningPacsNginx {
  port: number;
  url: string;
  /** The DICOMweb root through this nginx. */
  dicomWeb: string;
  stop(): Promise<void>;
}

/**
 * One of deploy/pacs/*.conf with its `# pacs:<tag>` lines replaced by `rules[tag]`. Every tag in the
 * file must have a rule and every rule a tag, so the file and the tests cannot drift apart.
 */
export function renderPacsConf(file: string, conf: string, rules: Record<string, string>): string {
  const seen = new Set<string>();
  const out = conf.split('\n').map((line) => {
    const m = /#\s*pacs:([\w-]+)\s*$/.exec(line);
    if (!m) return line;
    const rule = rules[m[1]!];
    if (rule === undefined) throw new Error(`${file}: unknown tag pacs:${m[1]}`);
    seen.add(m[1]!);
    return `${/^\s*/.exec(line)![0]}${rule}`;
  });
  const missing = Object.keys(rules).filter((t) => !seen.has(t));
  if (missing.length) throw new Error(`${file}: tags missing: ${missing.map((t) => `pacs:${t}`).join(', ')}`);
  return out.join('\n');
}

/** The real nginx running `confFile`'s server block, its tags set by `rules(port)`; waits until it answers. */
async function startPacsNginx(confFile: string, rules: (port: number) => Record<string, string>, fixedPort?: number): Promise<RunningPacsNginx> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pacs-nginx-'));
  fs.mkdirSync(path.join(prefix, 'tmp'));
  const port = fixedPort ?? (await freePort());
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${prefix}/tmp/${t};`).join(' ');
  const conf = [
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    'events { worker_connections 256; }',
    `http { access_log off; ${temps}`,
    renderPacsConf(path.relative(REPO, confFile), fs.readFileSync(confFile, 'utf8'), rules(port)),
    '}',
  ].join('\n');
  const confPath = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(confPath, conf);
  const child = spawn(NGINX_BIN, ['-p', prefix, '-c', confPath, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/`)).status > 0, `nginx (${path.basename(confFile)}) on 127.0.0.1:${port}`, 10_000, () => (child.exitCode !== null ? stderr : null));
  } catch (e) {
    await stopChild(child);
    fs.rmSync(prefix, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    url,
    dicomWeb: `${url}/dicom-web`,
    async stop() {
      await stopChild(child);
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** deploy/pacs/nginx-cors.conf: the real nginx in front of `upstreamPort`, allowing `origin`. */
export const startCorsProxy = (opts: { upstreamPort: number; origin: string }): Promise<RunningPacsNginx> =>
  startPacsNginx(CORS_CONF, (port) => ({
    listen: `listen 127.0.0.1:${port};`,
    origin: `set $respidetect_origin "${opts.origin}";`,
    upstream: `proxy_pass http://127.0.0.1:${opts.upstreamPort};`,
  }));

/**
 * deploy/pacs/nginx-same-origin.conf: the app (`appPort`) and the PACS (`upstreamPort`) under one
 * origin. `csp`, when given, replaces the app's Content-Security-Policy, as an operator would to let
 * the page reach a PACS on another origin (the shipped policy allows only 'self').
 */
export const startSameOriginSite = (opts: { appPort: number; upstreamPort: number; csp?: string; port?: number }): Promise<RunningPacsNginx> =>
  startPacsNginx(SAME_ORIGIN_CONF, (port) => ({
    listen: `listen 127.0.0.1:${port};`,
    app: `proxy_pass http://127.0.0.1:${opts.appPort};`,
    upstream: `proxy_pass http://127.0.0.1:${opts.upstreamPort};`,
    csp: opts.csp ? `proxy_hide_header Content-Security-Policy; add_header Content-Security-Policy "${opts.csp}" always;` : '',
  }), opts.port);
