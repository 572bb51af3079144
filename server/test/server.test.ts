// The Node server alone: readiness, logs, configuration, and the attacks — path traversal (also run
// against the real nginx when present), malformed requests and a slowloris client.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/app.js';
import { ConfigError, DEFAULT_ROOT, readConfig, type ServerConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { makePrecompressedFixture, type Fixture } from '../../testkit/server/fixture';
import { rawRequest, request, type Target } from '../../testkit/server/http';
import { nginxAvailable, startNginx, type RunningNginx } from '../../testkit/server/nginx';
import { requireTool } from '../../testkit/require-tool';

let fx: Fixture;
let server: RunningServer;
let target: Target;
const logLines: string[] = [];
let nginx: RunningNginx | undefined;
let nginxTarget: Target | undefined;

const baseConfig = (root: string): ServerConfig => ({
  port: 0, host: '127.0.0.1', root, logLevel: 'info',
  headersTimeoutMs: 1000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 2000, shutdownTimeoutMs: 2000,
});

beforeAll(async () => {
  fx = await makePrecompressedFixture();
  server = await startServer(baseConfig(fx.root), { logger: createLogger('info', (l) => void logLines.push(l)) });
  target = { name: 'node', host: '127.0.0.1', port: server.port };
  if (requireTool('traversal corpus against nginx', '/usr/sbin/nginx', nginxAvailable(), 'apt-get install -y nginx')) {
    nginx = await startNginx({ root: fx.root, upstreamPort: server.port, tls: null, rateLimit: false });
    nginxTarget = { name: 'nginx-static', host: '127.0.0.1', port: nginx.ports.static };
  }
});

afterAll(async () => {
  await nginx?.stop();
  await server?.shutdown('test done');
  fx?.cleanup();
});

describe('readiness', () => {
  it('/readyz is 200 when every file in metadata.json exists', async () => {
    const res = await request(target, '/readyz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ ready: true, modelId: 'fixture-model-1', files: 4 });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('/readyz names the missing shard, and says plainly when no model is deployed', async () => {
    const fx2 = await makePrecompressedFixture({ shardBytes: 2048 });
    const s = await startServer({ ...baseConfig(fx2.root) }, { logger: createLogger('silent') });
    const t: Target = { name: 'node2', host: '127.0.0.1', port: s.port };
    try {
      fs.rmSync(path.join(fx2.root, fx2.files.shard2));
      const missing = await request(t, '/readyz');
      expect(missing.status).toBe(503);
      expect(JSON.parse(missing.body.toString())).toMatchObject({ ready: false, missing: [path.basename(fx2.files.shard2)] });
      fs.writeFileSync(path.join(fx2.root, 'model', 'metadata.json'), '{"hashes": ');
      const broken = await request(t, '/readyz');
      expect(broken.status).toBe(503);
      expect(JSON.parse(broken.body.toString()).reason).toMatch(/metadata\.json is not valid JSON/);
      fs.writeFileSync(path.join(fx2.root, 'model', 'metadata.json'), JSON.stringify({ hashes: { weights: { '../../secret.txt': 'x' } } }));
      const sneaky = await request(t, '/readyz');
      expect(JSON.parse(sneaky.body.toString()).reason).toMatch(/not plain file names/);
      fs.rmSync(path.join(fx2.root, 'model'), { recursive: true });
      const none = await request(t, '/readyz');
      expect(none.status).toBe(503);
      expect(JSON.parse(none.body.toString()).reason).toMatch(/^no model deployed: .*metadata\.json not found\. Train one/);
      // Liveness is not readiness.
      expect((await request(t, '/healthz')).status).toBe(200);
    } finally {
      await s.shutdown('test done');
      fx2.cleanup();
    }
  });
});

describe('headers', () => {
  it('sends HSTS only when the request came over TLS', async () => {
    expect((await request(target, '/')).headers['strict-transport-security']).toBeUndefined();
    expect((await request(target, '/', { headers: { 'x-forwarded-proto': 'http' } })).headers['strict-transport-security']).toBeUndefined();
    expect((await request(target, '/', { headers: { 'x-forwarded-proto': 'https' } })).headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('ignores a precompressed variant that is a symlink out of ROOT', async () => {
    const res = await request(target, '/assets/evil-12345678.js', { headers: { 'accept-encoding': 'br' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).not.toBe('br');
    expect(res.body.includes(fx.secretMarker)).toBe(false);
  });
});

describe('logs', () => {
  it('writes one JSON line per request with method, path, status, bytes and ms', async () => {
    logLines.length = 0;
    await request(target, `${fx.files.js}?v=1`);
    await request(target, '/nope.png');
    await request(target, '/', { method: 'HEAD' });
    // The server logs on the response's 'close', which can come just after the client has the body.
    const requestEntries = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'request');
    for (const deadline = Date.now() + 5000; requestEntries().length < 3 && Date.now() < deadline; ) await new Promise((r) => setImmediate(r));
    const entries = requestEntries();
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ level: 'info', method: 'GET', path: fx.files.js, status: 200, bytes: fx.read(fx.files.js).length });
    expect(entries[1]).toMatchObject({ method: 'GET', path: '/nope.png', status: 404 });
    expect(entries[2]).toMatchObject({ method: 'HEAD', path: '/', status: 200, bytes: 0 });
    for (const e of entries) expect(typeof e.ms === 'number' && e.ms >= 0).toBe(true);
    expect(logLines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
  });

  it('LOG_LEVEL=error writes no request lines, silent writes nothing', () => {
    const lines: string[] = [];
    const err = createLogger('error', (l) => void lines.push(l));
    err.info('request', {});
    err.error('boom', {});
    createLogger('silent', (l) => void lines.push(l)).error('boom', {});
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['boom']);
  });
});

describe('configuration', () => {
  it('reads PORT, HOST, ROOT, LOG_LEVEL with defaults', () => {
    const d = readConfig({});
    expect(d).toMatchObject({ port: 8080, host: '0.0.0.0', root: DEFAULT_ROOT, logLevel: 'info', headersTimeoutMs: 10_000 });
    expect(DEFAULT_ROOT).toBe(path.resolve(import.meta.dirname, '..', '..', 'dist'));
    const c = readConfig({ PORT: '9000', HOST: '127.0.0.1', ROOT: 'some/dir', LOG_LEVEL: 'debug', HEADERS_TIMEOUT_MS: '1000' });
    expect(c).toMatchObject({ port: 9000, host: '127.0.0.1', root: path.resolve('some/dir'), logLevel: 'debug', headersTimeoutMs: 1000 });
  });

  it('names the variable on bad input', () => {
    expect(() => readConfig({ PORT: '80a' })).toThrow(ConfigError);
    expect(() => readConfig({ PORT: '80a' })).toThrow(/PORT must be a whole number/);
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT must be between 0 and 65535/);
    expect(() => readConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of silent, error, info, debug/);
    expect(() => readConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).toThrow(/REQUEST_TIMEOUT_MS/);
  });

  it('PACS_ORIGINS adds exactly those origins to connect-src, on handled and raw answers alike', async () => {
    expect(readConfig({}).pacsOrigins).toEqual([]);
    expect(readConfig({ PACS_ORIGINS: 'https://pacs.lab.example:8042, http://10.0.0.5/' }).pacsOrigins).toEqual(['https://pacs.lab.example:8042', 'http://10.0.0.5']);
    for (const bad of ['pacs.lab.example', 'https://pacs.lab.example/dicom-web', 'ftp://pacs', "https://x.example 'unsafe-inline'"])
      expect(() => readConfig({ PACS_ORIGINS: bad }), bad).toThrow(/PACS_ORIGINS must list origins/);
    const withPacs = await startServer({ ...baseConfig(fx.root), pacsOrigins: ['https://pacs.lab.example:8042'] }, { logger: createLogger('silent') });
    try {
      const t: Target = { name: 'pacs', host: '127.0.0.1', port: withPacs.port };
      const csp = (await request(t, '/index.html')).headers['content-security-policy'];
      expect(csp).toContain("connect-src 'self' https://pacs.lab.example:8042;");
      const raw = await rawRequest(t, 'GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n');
      expect(raw.status).toBe(400);
      expect(raw.text).toContain("connect-src 'self' https://pacs.lab.example:8042;");
    } finally {
      await withPacs.shutdown('test done');
    }
    expect((await request(target, '/index.html')).headers['content-security-policy']).toContain("connect-src 'self';");
  });

  it('refuses to start on a ROOT that does not exist', async () => {
    await expect(startServer({ ...baseConfig(path.join(fx.base, 'no-such-dist')) }, { logger: createLogger('silent') })).rejects.toThrow(
      /ROOT .*no-such-dist does not exist\. Build the app first/,
    );
  });
});

// Every spelling of "a file outside ROOT" we know. The secret sits at ROOT/../secret.txt and behind
// three symlinks inside ROOT (leak.txt, linkdir/, assets/leak-deadbeef.js).
const TRAVERSAL: string[] = [
  '/../secret.txt',
  '/../../../../../../etc/passwd',
  '/..%2fsecret.txt',
  '/%2e%2e/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/%2E%2E/secret.txt',
  '/.%2e/secret.txt',
  '/%2e./secret.txt',
  '/%252e%252e/secret.txt',
  '/%252e%252e%252fsecret.txt',
  '/..%252fsecret.txt',
  '/..\\secret.txt',
  '/..%5csecret.txt',
  '/..%5c..%5c..%5cetc%5cpasswd',
  '/%5c..%5csecret.txt',
  '/..%00/secret.txt',
  '/secret.txt%00.html',
  '/index.html%00/../../secret.txt',
  '/%00../secret.txt',
  '/%c0%ae%c0%ae/secret.txt',
  '/%c0%ae%c0%ae%c0%afsecret.txt',
  '/%e0%80%ae%e0%80%ae/secret.txt',
  '/..%c0%afsecret.txt',
  '/..%c1%9csecret.txt',
  '/..%ef%bc%8fsecret.txt',
  '/%u002e%u002e/secret.txt',
  '//etc/passwd',
  '///etc/passwd',
  '/%2fetc%2fpasswd',
  '/%2f%2f..%2f..%2fetc/passwd',
  '/assets/../../secret.txt',
  '/assets/..%2f..%2fsecret.txt',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/model/../../secret.txt',
  '/model/..%2f..%2fsecret.txt',
  '/./../secret.txt',
  '/.%2e/.%2e/secret.txt',
  '/..;/secret.txt',
  '/....//secret.txt',
  '/%2e%2e%5c%2e%2e%5csecret.txt',
  '/leak.txt',
  '/linkdir/secret.txt',
  '/linkdir/dist/.env',
  '/assets/leak-deadbeef.js',
  '/.env',
  '/%2eenv',
  '/assets/..%2f.env',
  'http://localhost/../secret.txt',
  '../secret.txt',
  '\\..\\secret.txt',
  '/\\..\\secret.txt',
];

describe('path traversal', () => {
  it(`serves nothing outside ROOT for ${TRAVERSAL.length} variants`, async () => {
    expect(TRAVERSAL.length).toBeGreaterThanOrEqual(40);
    const shell = fx.read('/index.html').toString('latin1');
    const targets = [target, ...(nginxTarget ? [nginxTarget] : [])];
    for (const t of targets) {
      for (const p of TRAVERSAL) {
        const res = await rawRequest(t, `GET ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
        const label = `${t.name} ${p} -> ${res.status}`;
        expect(res.text.includes(fx.secretMarker), label).toBe(false);
        expect(res.text, label).not.toMatch(/root:x:0:0/);
        expect(res.status, label).not.toBeNull();
        expect([200, 400, 403, 404], label).toContain(res.status);
        // A 200 may only ever be the app shell (an unknown app route).
        if (res.status === 200) expect(res.text.endsWith(shell), label).toBe(true);
      }
    }
    expect((await request(target, '/healthz')).status).toBe(200);
  });
});

describe('malformed requests', () => {
  const cases: Array<[string, string, number[]]> = [
    ['unknown method', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', [400, 405]],
    ['unsupported method', 'DELETE / HTTP/1.1\r\nHost: x\r\n\r\n', [405]],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', [400, 405]],
    ['asterisk-form', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', [400, 405]],
    ['bad percent-encoding', 'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['truncated escape', 'GET /a% HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['absolute-form', 'GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['no Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', [400]],
    ['bad version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', [400, 505]],
    ['garbage', '\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n', [400]],
    ['space in target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['header without colon', 'GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n', [400]],
    ['oversized header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`, [431, 400]],
    ['oversized URL', `GET /${'a'.repeat(32 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, [431, 414, 400]],
    ['conflicting Content-Length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', [400]],
    ['CL and TE together (smuggling)', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', [400]],
    ['bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', [400, 405]],
    ['POST with a body', 'POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello', [405]],
  ];
  it.each(cases)('%s gets a 4xx and the server lives on', async (_name, raw, allowed) => {
    const res = await rawRequest(target, raw);
    expect(allowed).toContain(res.status);
    expect((await request(target, '/healthz')).status).toBe(200);
  });
});

/**
 * A slowloris client: one header line every 200 ms, never the blank line that ends the headers.
 * Resolves when the server closes the connection (ms after connect), or at `giveUpMs` with Infinity.
 */
async function slowloris(port: number, giveUpMs: number): Promise<{ closedAfter: number; received: string }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const started = Date.now();
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  let sent = 0;
  const drip = setInterval(() => {
    if (!socket.destroyed) socket.write(`X-Drip-${sent++}: a\r\n`);
  }, 200);
  const closedAfter = await new Promise<number>((resolve) => {
    socket.on('close', () => resolve(Date.now() - started));
    setTimeout(() => resolve(Number.POSITIVE_INFINITY), giveUpMs);
  });
  clearInterval(drip);
  socket.destroy();
  return { closedAfter, received };
}

describe('slow clients', () => {
  // The lower bound is exact (no server may cut early); the upper one only proves the client is cut
  // at all, with room for a loaded CI machine, rather than timing the server's sweep.
  it('cuts off a slowloris client at the headers timeout (1 s here, 10 s by default)', async () => {
    const { closedAfter, received } = await slowloris(server.port, 15_000);
    expect(closedAfter).toBeGreaterThanOrEqual(1000 - 50);
    expect(closedAfter).toBeLessThan(1000 + 10_000);
    // It never got the page, at most a 408.
    expect(received === '' || received.startsWith('HTTP/1.1 408')).toBe(true);
    expect((await request(target, '/healthz')).status).toBe(200);
  });

  it('nginx cuts off a slowloris client at client_header_timeout (10 s in nginx.conf)', async (ctx) => {
    if (!nginx) return ctx.skip();
    const timeoutS = Number(/client_header_timeout (\d+)s;/.exec(fs.readFileSync(nginx.conf, 'utf8'))?.[1]);
    expect(timeoutS).toBe(10);
    const { closedAfter, received } = await slowloris(nginx.ports.static, timeoutS * 1000 + 20_000);
    expect(closedAfter).toBeGreaterThanOrEqual(timeoutS * 1000 - 50);
    expect(closedAfter).toBeLessThan(timeoutS * 1000 + 10_000);
    expect(received).not.toMatch(/^HTTP\/1\.1 200/);
    expect((await request(nginxTarget!, '/healthz')).status).toBe(200);
  }, 45_000);
});

describe('precompress (build step)', () => {
  it('writes .br/.gz only where they pay off, and removes stale ones', async () => {
    const { precompressFile } = await import('../src/precompress.js');
    const dir = fs.mkdtempSync(path.join(fx.base, 'pc-'));
    const text = path.join(dir, 'app.js');
    fs.writeFileSync(text, 'export const a = [1, 2, 3].map((x) => x * 2);\n'.repeat(200));
    const r = await precompressFile(text);
    expect(r.br).not.toBeNull();
    expect(r.gzip).not.toBeNull();
    expect(zlibRoundTrip(fs.readFileSync(`${text}.br`), 'br').equals(fs.readFileSync(text))).toBe(true);
    expect(zlibRoundTrip(fs.readFileSync(`${text}.gz`), 'gzip').equals(fs.readFileSync(text))).toBe(true);
    // Tiny: not worth a second file.
    const tiny = path.join(dir, 'tiny.css');
    fs.writeFileSync(tiny, 'a{b:c}');
    expect(await precompressFile(tiny)).toMatchObject({ br: null, gzip: null });
    expect(fs.existsSync(`${tiny}.br`)).toBe(false);
    // Incompressible: a stale variant from an earlier build is removed, never served.
    const noise = path.join(dir, 'noise.json');
    fs.writeFileSync(noise, (await import('node:crypto')).randomBytes(8192));
    fs.writeFileSync(`${noise}.br`, 'stale');
    expect(await precompressFile(noise)).toMatchObject({ br: null, gzip: null });
    expect(fs.existsSync(`${noise}.br`)).toBe(false);
  });

  it('leaves model shards alone (they barely compress; see bench:server)', () => {
    const shard = path.join(fx.root, fx.files.shard1);
    expect(fs.existsSync(`${shard}.br`) || fs.existsSync(`${shard}.gz`)).toBe(false);
    expect(fs.existsSync(path.join(fx.root, `${fx.files.js}.br`))).toBe(true);
  });
});

function zlibRoundTrip(data: Buffer, enc: 'br' | 'gzip'): Buffer {
  return enc === 'br' ? zlib.brotliDecompressSync(data) : zlib.gunzipSync(data);
}
