// Runs the real nginx with server/nginx.conf, rendered for loopback: lines tagged `# rd:<tag>` in the
// config are swapped for local values; every tag must be present, so the config and this renderer
// cannot drift apart silently.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './http';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const NGINX_CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'nginx.conf');

export const nginxAvailable = (): boolean => fs.existsSync(NGINX_BIN);
export const opensslAvailable = (): boolean => spawnSync('openssl', ['version']).status === 0;

export interface RenderOptions {
  prefix: string;
  root: string;
  upstreamPort: number;
  ports: { http: number; static: number; proxy: number };
  /** null: plain HTTP on the static/proxy listeners (bench), no certificates. */
  tls: { cert: string; key: string } | null;
  rateLimit: boolean;
  workers?: number;
}

export function renderNginxConf(conf: string, o: RenderOptions): string {
  const listen = (port: number) => `listen 127.0.0.1:${port}${o.tls ? ' ssl http2' : ''};`;
  const asRoot = process.getuid?.() === 0;
  const rules: Record<string, (line: string) => string> = {
    // As root, nginx would drop workers to nobody, who cannot read a 0700 temp dir.
    user: () => (asRoot ? 'user root;' : ''),
    workers: () => `worker_processes ${o.workers ?? 2};`,
    pid: () => `pid ${o.prefix}/nginx.pid;`,
    error_log: () => `error_log ${o.prefix}/error.log warn;`,
    access_log: () => `access_log ${o.prefix}/access.log json;`,
    'http-extra': () =>
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${o.prefix}/tmp/${t};`).join(' '),
    'listen-http': () => `listen 127.0.0.1:${o.ports.http};`,
    'listen-static': () => listen(o.ports.static),
    'listen-proxy': () => listen(o.ports.proxy),
    cert: () => (o.tls ? `ssl_certificate ${o.tls.cert};` : ''),
    key: () => (o.tls ? `ssl_certificate_key ${o.tls.key};` : ''),
    root: () => `root ${o.root};`,
    upstream: () => `server 127.0.0.1:${o.upstreamPort};`,
    ratelimit: (line) => (o.rateLimit ? line : ''),
  };
  const seen = new Set<string>();
  const out = conf.split('\n').map((line) => {
    const m = /#\s*rd:([\w-]+)\s*$/.exec(line);
    if (!m) return line;
    const tag = m[1]!;
    const rule = rules[tag];
    if (!rule) throw new Error(`server/nginx.conf: unknown tag rd:${tag} in line ${JSON.stringify(line.trim())}`);
    seen.add(tag);
    const indent = /^\s*/.exec(line)![0];
    return `${indent}${rule(line.replace(/#\s*rd:[\w-]+\s*$/, '').trim())}`;
  });
  const missing = Object.keys(rules).filter((t) => !seen.has(t));
  if (missing.length > 0) throw new Error(`server/nginx.conf: tags missing: ${missing.map((t) => `rd:${t}`).join(', ')}`);
  return out.join('\n');
}

/** Self-signed certificate for CN=localhost / IP 127.0.0.1. */
export function makeCert(dir: string): { cert: string; key: string; ca: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key, ca: fs.readFileSync(cert, 'utf8') };
}

export interface RunningNginx {
  prefix: string;
  conf: string;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on the rendered config; resolves once every listener accepts. */
export async function startNginx(opts: Omit<RenderOptions, 'prefix'> & { prefix?: string }): Promise<RunningNginx> {
  const prefix = opts.prefix ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rd-nginx-'));
  fs.mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(conf, renderNginxConf(fs.readFileSync(NGINX_CONF, 'utf8'), { ...opts, prefix }));
  const check = spawnSync(NGINX_BIN, ['-t', '-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t rejected the rendered config:\n${check.stderr}`);
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      Promise.all(Object.values(opts.ports).map((p) => waitForPort(p))),
      exited.then(() => {
        throw new Error(`nginx exited at startup:\n${stderr}\n${readLog(prefix)}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    prefix,
    conf,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function readLog(prefix: string): string {
  try {
    return fs.readFileSync(path.join(prefix, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
