// Runs the real nginx with server/nginx.conf, rendered for loopback: lines tagged `# rd:<tag>` in the
// config are swapped for local values; every tag must be present, so the config and this renderer
// cannot drift apart silently.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './http';
import { requireTool } from '../require-tool';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const NGINX_CONF = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'nginx.conf');

export const nginxAvailable = (): boolean => fs.existsSync(NGINX_BIN);
export const opensslAvailable = (): boolean => spawnSync('openssl', ['version']).status === 0;

/**
 * Whether the nginx tests can run. Missing nginx or openssl is a visible skip on a workstation and a
 * failure under CI=true (thrown here, at collection time, so the file fails instead of skipping).
 */
export function requireNginx(what: string): boolean {
  return (
    requireTool(what, NGINX_BIN, nginxAvailable(), 'apt-get install -y nginx openssl') &&
    requireTool(what, 'openssl', opensslAvailable(), 'apt-get install -y openssl')
  );
}

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

export type NginxPorts = RenderOptions['ports'];

export interface RunningNginx {
  prefix: string;
  conf: string;
  /** The ports this nginx (its master process) was seen to listen on. */
  ports: NginxPorts;
  pid: number;
  stop(): Promise<void>;
}

/** Inodes of the TCP sockets listening on 127.0.0.1:<port>, from /proc/net/tcp (state 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === want && f[3] === '0A' && f[9]) inodes.add(f[9]);
  }
  return inodes;
}

/** Socket inodes held open by a process. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out; // exited: it owns nothing
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' }) as string;
    } catch {
      continue; // closed between the listing and the read (nginx opens and closes files at start-up)
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** True once process `pid` itself holds a listening socket on every port (not some other process). */
function ownsPorts(pid: number, ports: number[]): boolean {
  const mine = socketInodes(pid);
  return ports.every((p) => [...listeningInodes(p)].some((inode) => mine.has(inode)));
}

const BIND_COLLISION = /bind\(\) to .* failed \(98: Address already in use\)/;

/**
 * Starts nginx in the foreground on the rendered config and resolves once its master process is seen
 * to own every listener (read from /proc, so a stranger on the port cannot pass for it). Without
 * `ports`, free ports are picked and, if another process takes one between the pick and nginx's bind,
 * nginx is started again on new ones.
 */
export async function startNginx(
  opts: Omit<RenderOptions, 'prefix' | 'ports'> & { prefix?: string; ports?: NginxPorts },
): Promise<RunningNginx> {
  for (let attempt = 1; ; attempt++) {
    const ports = opts.ports ?? { http: await freePort(), static: await freePort(), proxy: await freePort() };
    try {
      return await startOnce({ ...opts, ports });
    } catch (err) {
      if (opts.ports || attempt >= 5 || !BIND_COLLISION.test(String(err))) throw err;
    }
  }
}

async function startOnce(opts: Omit<RenderOptions, 'prefix'> & { prefix?: string }, timeoutMs = 10_000): Promise<RunningNginx> {
  const prefix = opts.prefix ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rd-nginx-'));
  const ownPrefix = !opts.prefix;
  const cleanup = () => {
    if (ownPrefix) fs.rmSync(prefix, { recursive: true, force: true });
  };
  fs.mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
  const conf = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(conf, renderNginxConf(fs.readFileSync(NGINX_CONF, 'utf8'), { ...opts, prefix }));
  const check = spawnSync(NGINX_BIN, ['-t', '-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], { encoding: 'utf8' });
  if (check.status !== 0) {
    cleanup();
    throw new Error(`nginx -t rejected the rendered config:\n${check.stderr}`);
  }
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  let exitedEarly = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedEarly = true;
      resolve();
    }),
  );
  const ports = Object.values(opts.ports);
  const deadline = Date.now() + timeoutMs;
  // nginx writes nothing when it is ready; its listeners appearing under its own pid is the event.
  try {
    while (!(child.pid && !exitedEarly && ownsPorts(child.pid, ports))) {
      if (exitedEarly) throw new Error(`nginx exited at startup:\n${stderr}\n${readLog(prefix)}`);
      if (Date.now() > deadline) throw new Error(`nginx (pid ${child.pid}) did not own 127.0.0.1:${ports.join(',')} within ${timeoutMs} ms:\n${readLog(prefix)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } catch (err) {
    // Never leave an nginx behind, whatever went wrong.
    if (!exitedEarly) {
      child.kill('SIGKILL');
      await exited;
    }
    cleanup();
    throw err;
  }
  return {
    prefix,
    conf,
    ports: opts.ports,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
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
