// One table of header, caching, compression, conditional, range and SPA-fallback expectations, run
// against the Node server and against the real nginx with server/nginx.conf (static block and proxy
// block). The headers expected come from server/src/headers.js, and a last test compares the servers'
// answers with each other, so nginx.conf cannot drift from the one definition.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_IMMUTABLE, CACHE_NONE, CACHE_REVALIDATE, SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from '../src/headers.js';
import { startServer, type RunningServer } from '../src/app.js';
import { createLogger } from '../src/log.js';
import { makePrecompressedFixture, type Fixture } from '../../testkit/server/fixture';
import { rawRequest, request, type Response, type Target } from '../../testkit/server/http';
import { makeCert, requireNginx, startNginx, type RunningNginx } from '../../testkit/server/nginx';

// Throws under CI=true when nginx or openssl is missing; a visible skip elsewhere.
const haveNginx = requireNginx('nginx parity tests');

interface Case {
  name: string;
  path: string;
  status: number;
  cache: string;
  type?: RegExp;
  body?: (fx: Fixture) => Buffer;
}

const shell = (fx: Fixture) => fx.read('/index.html');
const HTML = /^text\/html/;

const cases = (fx: Fixture): Case[] => [
  { name: 'root serves the shell', path: '/', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'index.html', path: '/index.html', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'app route falls back to the shell', path: '/results/42', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'app route with a query', path: '/a/b/c?tab=2', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'a directory is an app route', path: '/assets/', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'a directory without slash', path: '/model', status: 200, cache: CACHE_REVALIDATE, type: HTML, body: shell },
  { name: 'hashed JS', path: fx.files.js, status: 200, cache: CACHE_IMMUTABLE, type: /javascript/, body: (f) => f.read(f.files.js) },
  { name: 'hashed CSS', path: fx.files.css, status: 200, cache: CACHE_IMMUTABLE, type: /^text\/css/, body: (f) => f.read(f.files.css) },
  { name: 'tfjs WASM', path: fx.files.wasm, status: 200, cache: CACHE_IMMUTABLE, type: /^application\/wasm/, body: (f) => f.read(f.files.wasm) },
  { name: 'workbox runtime', path: fx.files.workbox, status: 200, cache: CACHE_IMMUTABLE, type: /javascript/ },
  { name: 'service worker', path: '/sw.js', status: 200, cache: CACHE_REVALIDATE, type: /javascript/, body: (f) => f.read('/sw.js') },
  { name: 'manifest', path: '/manifest.webmanifest', status: 200, cache: CACHE_REVALIDATE, type: /^application\/manifest\+json/ },
  { name: 'model.json', path: '/model/model.json', status: 200, cache: CACHE_REVALIDATE, type: /^application\/json/ },
  { name: 'metadata.json', path: '/model/metadata.json', status: 200, cache: CACHE_REVALIDATE, type: /^application\/json/ },
  { name: 'model shard', path: fx.files.shard1, status: 200, cache: CACHE_IMMUTABLE, type: /^application\/octet-stream/, body: (f) => f.read(f.files.shard1) },
  { name: 'missing hashed asset', path: '/assets/missing-Zz99Yy88.js', status: 404, cache: CACHE_NONE },
  { name: 'missing root file', path: '/favicon.ico', status: 404, cache: CACHE_NONE },
  { name: 'missing shard', path: '/model/group1-shard9of9.0123456789abcdef.bin', status: 404, cache: CACHE_NONE },
  { name: 'dotfile', path: '/.env', status: 404, cache: CACHE_NONE },
  { name: 'dot directory', path: '/.git/config', status: 404, cache: CACHE_NONE },
  { name: 'dot directory app-route look-alike', path: '/.git/HEAD', status: 404, cache: CACHE_NONE },
];

let fx: Fixture;
let node: RunningServer;
let upstream: RunningServer;
let nginx: RunningNginx | undefined;
/** A second nginx with rate limiting on, so the table above never meets a 429. */
let limited: RunningNginx | undefined;
let limitedTarget: Target | undefined;
const targets: Record<string, Target> = {};
const TARGET_NAMES = ['node', 'nginx-static', 'nginx-proxy'] as const;
let httpPort = 0;

beforeAll(async () => {
  fx = await makePrecompressedFixture();
  const config = {
    port: 0, host: '127.0.0.1', root: fx.root, logLevel: 'silent' as const,
    headersTimeoutMs: 5000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5000, shutdownTimeoutMs: 2000,
  };
  node = await startServer(config, { logger: createLogger('silent') });
  targets.node = { name: 'node', host: '127.0.0.1', port: node.port };
  if (!haveNginx) return;
  upstream = await startServer(config, { logger: createLogger('silent') });
  const cert = makeCert(fx.base);
  nginx = await startNginx({ root: fx.root, upstreamPort: upstream.port, tls: cert, rateLimit: false });
  httpPort = nginx.ports.http;
  limited = await startNginx({ root: fx.root, upstreamPort: upstream.port, tls: cert, rateLimit: true });
  limitedTarget = { name: 'nginx-static-limited', host: '127.0.0.1', port: limited.ports.static, ca: cert.ca };
  targets['nginx-static'] = { name: 'nginx-static', host: '127.0.0.1', port: nginx.ports.static, ca: cert.ca };
  targets['nginx-proxy'] = { name: 'nginx-proxy', host: '127.0.0.1', port: nginx.ports.proxy, ca: cert.ca };
});

afterAll(async () => {
  await nginx?.stop();
  await limited?.stop();
  await node?.shutdown('test done');
  await upstream?.shutdown('test done');
  fx?.cleanup();
});

/** The node target is reached directly over http; it is told the client used https, as nginx would. */
function get(t: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  const target = targets[t]!;
  return request(target, path, { method, headers: { ...(target.ca ? {} : { 'x-forwarded-proto': 'https' }), ...headers } });
}

/**
 * @param repeated nginx's range filter sends every add_header twice on a 416 (see nginx.conf); Node
 *   joins repeats with ', '. Only that case passes `true`.
 */
function expectSecurityHeaders(res: Response, repeated = false) {
  const twice = (v: string) => (repeated ? `${v}, ${v}` : v);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers[name.toLowerCase()], name).toBe(twice(value));
  expect(res.headers['strict-transport-security']).toBe(twice(STRICT_TRANSPORT_SECURITY));
}

const gunzip = (b: Buffer) => zlib.gunzipSync(b);
const unbrotli = (b: Buffer) => zlib.brotliDecompressSync(b);

describe.each(TARGET_NAMES)('%s', (t) => {
  const skip = () => !targets[t];

  it('answers the table: status, Cache-Control, type, body, security headers', async (ctx) => {
    if (skip()) return ctx.skip();
    for (const c of cases(fx)) {
      const res = await get(t, c.path);
      const label = `${t} ${c.name} (${c.path})`;
      expect(res.status, label).toBe(c.status);
      expect(res.headers['cache-control'], label).toBe(c.cache);
      if (c.type) expect(res.headers['content-type'], label).toMatch(c.type);
      if (c.body) expect(res.body.equals(c.body(fx)), `${label}: body`).toBe(true);
      expect(res.body.includes(fx.secretMarker), label).toBe(false);
      expectSecurityHeaders(res);
    }
  });

  it('serves precompressed brotli and gzip by Accept-Encoding, with Vary', async (ctx) => {
    if (skip()) return ctx.skip();
    const original = fx.read(fx.files.js);
    const br = await get(t, fx.files.js, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(unbrotli(br.body).equals(original)).toBe(true);
    expect(br.body.length).toBeLessThan(original.length / 2);
    const gz = await get(t, fx.files.js, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzip(gz.body).equals(original)).toBe(true);
    const id = await get(t, fx.files.js, { 'accept-encoding': 'identity' });
    expect(id.headers['content-encoding']).toBeUndefined();
    expect(id.body.equals(original)).toBe(true);
    for (const r of [br, gz, id]) {
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(r.headers['content-type']).toMatch(/javascript/);
      expect(r.headers['cache-control']).toBe(CACHE_IMMUTABLE);
    }
    // The shell too, and the SPA fallback gets the same compressed shell.
    const route = await get(t, '/some/route', { 'accept-encoding': 'br' });
    expect(route.headers['content-encoding']).toBe('br');
    expect(unbrotli(route.body).equals(fx.read('/index.html'))).toBe(true);
    // br refused with q=0 falls to gzip, as the client asked.
    const noBr = await get(t, fx.files.js, { 'accept-encoding': 'br;q=0, gzip' });
    expect(noBr.headers['content-encoding']).toBe('gzip');
    expect(gunzip(noBr.body).equals(original)).toBe(true);
    // A word that merely starts with "br" is not br.
    const brx = await get(t, fx.files.js, { 'accept-encoding': 'brotli-ish' });
    expect(brx.headers['content-encoding']).toBeUndefined();
    // A Range addresses identity bytes, whatever else the client accepts.
    const ranged = await get(t, fx.files.js, { 'accept-encoding': 'br', range: 'bytes=0-99' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-encoding']).toBeUndefined();
    expect(ranged.body.equals(original.subarray(0, 100))).toBe(true);
    // A .br sibling asked for by name is just bytes: never labelled br (a client would decode it).
    const direct = await get(t, `${fx.files.js}.br`, { 'accept-encoding': 'br' });
    expect(direct.headers['content-encoding']).toBeUndefined();
    // A .br that is a symlink out of ROOT is never followed: the next variant answers.
    const evil = await get(t, '/assets/evil-12345678.js', { 'accept-encoding': 'gzip, br' });
    expect(evil.status).toBe(200);
    expect(evil.headers['content-encoding']).not.toBe('br');
    expect(evil.body.includes(fx.secretMarker)).toBe(false);
    // Shards are not precompressed: identity bytes whatever the client accepts.
    const shard = await get(t, fx.files.shard1, { 'accept-encoding': 'br, gzip' });
    expect(shard.headers['content-encoding']).toBeUndefined();
    expect(shard.body.equals(fx.read(fx.files.shard1))).toBe(true);
  });

  it('answers If-None-Match with 304 and keeps the caching and security headers', async (ctx) => {
    if (skip()) return ctx.skip();
    for (const [path, cache] of [[fx.files.js, CACHE_IMMUTABLE], ['/index.html', CACHE_REVALIDATE], [fx.files.shard1, CACHE_IMMUTABLE]] as const) {
      const first = await get(t, path);
      const etag = first.headers.etag;
      expect(etag, path).toBeTruthy();
      const again = await get(t, path, { 'if-none-match': etag! });
      expect(again.status, path).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers['cache-control'], path).toBe(cache);
      expectSecurityHeaders(again);
      const changed = await get(t, path, { 'if-none-match': '"not-the-etag"' });
      expect(changed.status, path).toBe(200);
    }
  });

  it('serves byte ranges: explicit, suffix, and 416 past the end', async (ctx) => {
    if (skip()) return ctx.skip();
    const bytes = fx.read(fx.files.shard1);
    const mid = await get(t, fx.files.shard1, { range: 'bytes=100-1123' });
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 100-1123/${bytes.length}`);
    expect(mid.body.equals(bytes.subarray(100, 1124))).toBe(true);
    expect(mid.headers['cache-control']).toBe(CACHE_IMMUTABLE);
    const tail = await get(t, fx.files.shard1, { range: 'bytes=-500' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(bytes.subarray(bytes.length - 500))).toBe(true);
    const open = await get(t, fx.files.shard1, { range: `bytes=${bytes.length - 10}-` });
    expect(open.status).toBe(206);
    expect(open.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const past = await get(t, fx.files.shard1, { range: `bytes=${bytes.length + 10}-` });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    expectSecurityHeaders(past, t === 'nginx-static');
    // Never stored: alone on Node; on nginx the repeat's no-store overrides the first copy.
    expect(past.headers['cache-control']).toMatch(/no-store/);
  });

  it('answers HEAD with the GET headers and no body', async (ctx) => {
    if (skip()) return ctx.skip();
    const head = await get(t, fx.files.js, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(fx.read(fx.files.js).length);
    expect(head.headers['cache-control']).toBe(CACHE_IMMUTABLE);
    expectSecurityHeaders(head);
  });

  it('has /healthz', async (ctx) => {
    if (skip()) return ctx.skip();
    const res = await get(t, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe(CACHE_NONE);
  });

  it('refuses other methods', async (ctx) => {
    if (skip()) return ctx.skip();
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await get(t, '/index.html', {}, method);
      expect(res.status, method).toBe(405);
      expectSecurityHeaders(res);
    }
  });
});

describe('node and nginx agree', () => {
  it('sends identical security and caching headers for every path in the table', async (ctx) => {
    if (!nginx) return ctx.skip();
    const pick = (r: Response) => ({
      status: r.status,
      cacheControl: r.headers['cache-control'],
      hsts: r.headers['strict-transport-security'],
      vary: r.headers.vary?.toLowerCase(),
      encoding: r.headers['content-encoding'],
      // Error pages differ in type (nginx's HTML, Node's text); files must not.
      type: r.status < 300 ? r.headers['content-type'] : 'error page',
      ...Object.fromEntries(Object.keys(SECURITY_HEADERS).map((h) => [h, r.headers[h.toLowerCase()]])),
    });
    for (const c of cases(fx)) {
      for (const enc of ['identity', 'gzip, deflate, br']) {
        const [a, b, p] = await Promise.all(TARGET_NAMES.map((t) => get(t, c.path, { 'accept-encoding': enc })));
        expect(pick(b!), `nginx-static vs node: ${c.path} (${enc})`).toEqual(pick(a!));
        expect(pick(p!), `nginx-proxy vs node: ${c.path} (${enc})`).toEqual(pick(a!));
      }
    }
  });
});

describe('nginx only', () => {
  it('redirects plain HTTP to HTTPS', async (ctx) => {
    if (!nginx) return ctx.skip();
    const res = await request({ name: 'nginx-http', host: '127.0.0.1', port: httpPort }, '/results/1?x=2', { headers: { host: 'respidetect.example.com' } });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://respidetect.example.com/results/1?x=2');
  });

  it('/readyz: 200 with a model deployed, 503 naming the problem without one, never cached', async (ctx) => {
    if (!nginx) return ctx.skip();
    const metadata = `${fx.root}/model/metadata.json`;
    for (const t of ['nginx-static', 'nginx-proxy']) {
      const res = await request(targets[t]!, '/readyz');
      expect(res.status, t).toBe(200);
      expect(JSON.parse(res.body.toString()).ready, t).toBe(true);
      expect(res.headers['cache-control'], t).toBe(CACHE_NONE);
      expectSecurityHeaders(res);
    }
    fs.renameSync(metadata, `${metadata}.away`);
    try {
      for (const t of ['nginx-static', 'nginx-proxy']) {
        const res = await request(targets[t]!, '/readyz');
        expect(res.status, t).toBe(503);
        const body = JSON.parse(res.body.toString()) as { ready: boolean; reason: string };
        expect(body.ready, t).toBe(false);
        expect(body.reason, t).toMatch(/metadata\.json/);
        expect(res.headers['cache-control'], t).toBe(CACHE_NONE);
        expectSecurityHeaders(res);
      }
    } finally {
      fs.renameSync(`${metadata}.away`, metadata);
    }
  });

  it('limits request bodies (413)', async (ctx) => {
    if (!nginx) return ctx.skip();
    for (const t of ['nginx-static', 'nginx-proxy']) {
      const res = await request(targets[t]!, '/index.html', { method: 'POST', body: Buffer.alloc(64 * 1024, 0x61), headers: { 'content-type': 'text/plain' } });
      expect(res.status, t).toBe(413);
    }
  });

  it('uses the real config file (tags rendered, nothing else changed)', async (ctx) => {
    if (!nginx) return ctx.skip();
    const rendered = fs.readFileSync(nginx.conf, 'utf8');
    expect(rendered).toContain('disable_symlinks on;');
    // The brotli_static module's path code is broken (server/src/nginx-precompressed.js): never again.
    expect(rendered).not.toMatch(/^\s*(brotli_static|load_module)\b/m);
    expect(rendered).not.toMatch(/#\s*rd:[\w-]+\s*$/m);
  });

  it('rate-limits one client with 429 and keeps the security headers on it', async (ctx) => {
    if (!nginx) return ctx.skip();
    const statuses: number[] = [];
    let sample: Response | undefined;
    const lanes = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 40; i++) {
        const res = await request(limitedTarget!, '/index.html');
        statuses.push(res.status);
        if (res.status === 429) sample = res;
      }
    });
    await Promise.all(lanes);
    const limited = statuses.filter((s) => s === 429).length;
    expect(statuses.length).toBe(320);
    expect(limited).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(100);
    expect(sample!.headers['cache-control']).toBe(CACHE_NONE);
    expectSecurityHeaders(sample!);
    // The raw-socket client works against TLS targets too (used by the traversal corpus).
    const raw = await rawRequest(targets['nginx-static']!, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(raw.status).toBe(200);
  });
});
