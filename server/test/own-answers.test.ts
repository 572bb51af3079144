// Answers made outside the app's request handler must look like every other answer: Node's own
// parser errors (400, 408, 431) and CONNECT, and nginx's own errors (400, 413, 414, 429, 501, 505, 502)
// in both modes, carry the security headers of headers.js. Also: what must not be public (source maps,
// absolute paths in /readyz), and nginx's limits applying to /healthz in static mode.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/app.js';
import { SECURITY_HEADERS } from '../src/headers.js';
import { createLogger } from '../src/log.js';
import { makePrecompressedFixture, type Fixture } from '../../testkit/server/fixture';
import { freePort, rawRequest, request, type Target } from '../../testkit/server/http';
import { makeCert, requireNginx, startNginx, type RunningNginx } from '../../testkit/server/nginx';

const haveNginx = requireNginx('nginx own-answer tests');

/** Header name (lower case) → value, from a raw HTTP/1.1 answer. */
function rawHeaders(text: string): Record<string, string> {
  const head = text.split('\r\n\r\n')[0]!.split('\r\n').slice(1);
  return Object.fromEntries(head.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
}

function expectSecurity(headers: Record<string, string | string[] | undefined>, label: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers[name.toLowerCase()], `${label}: ${name}`).toBe(value);
}

let fx: Fixture;
let node: RunningServer;
let upstream: RunningServer;
let nginx: RunningNginx | undefined;
let limited: RunningNginx | undefined;
let deadUpstream: RunningNginx | undefined;
const targets: Record<string, Target> = {};

beforeAll(async () => {
  fx = await makePrecompressedFixture();
  const config = {
    port: 0, host: '127.0.0.1', root: fx.root, logLevel: 'silent' as const,
    headersTimeoutMs: 600, requestTimeoutMs: 5000, keepAliveTimeoutMs: 5000, shutdownTimeoutMs: 2000,
  };
  node = await startServer(config, { logger: createLogger('silent') });
  targets.node = { name: 'node', host: '127.0.0.1', port: node.port };
  if (!haveNginx) return;
  upstream = await startServer({ ...config, headersTimeoutMs: 5000 }, { logger: createLogger('silent') });
  const cert = makeCert(fx.base);
  nginx = await startNginx({ root: fx.root, upstreamPort: upstream.port, tls: cert, rateLimit: false });
  limited = await startNginx({ root: fx.root, upstreamPort: upstream.port, tls: cert, rateLimit: true });
  // A proxy whose container is down: nginx answers 502 itself.
  deadUpstream = await startNginx({ root: fx.root, upstreamPort: await freePort(), tls: cert, rateLimit: false });
  targets['nginx-static'] = { name: 'nginx-static', host: '127.0.0.1', port: nginx.ports.static, ca: cert.ca };
  targets['nginx-proxy'] = { name: 'nginx-proxy', host: '127.0.0.1', port: nginx.ports.proxy, ca: cert.ca };
  targets['nginx-http'] = { name: 'nginx-http', host: '127.0.0.1', port: nginx.ports.http };
  targets['limited-static'] = { name: 'limited-static', host: '127.0.0.1', port: limited.ports.static, ca: cert.ca };
  targets['limited-proxy'] = { name: 'limited-proxy', host: '127.0.0.1', port: limited.ports.proxy, ca: cert.ca };
  targets['dead-proxy'] = { name: 'dead-proxy', host: '127.0.0.1', port: deadUpstream.ports.proxy, ca: cert.ca };
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await limited?.stop();
  await deadUpstream?.stop();
  await node?.shutdown('test done');
  await upstream?.shutdown('test done');
  fx?.cleanup();
});

describe('the Node server, outside its handler', () => {
  const cases: Array<[string, number, string]> = [
    ['a header line without a colon', 400, 'GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n'],
    ['garbage', 400, '\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n'],
    ['headers over 16 KiB', 431, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`],
    ['CONNECT', 405, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
  ];
  it.each(cases)('%s: %i with the security headers', async (_name, status, raw) => {
    const res = await rawRequest(targets.node!, raw);
    expect(res.status).toBe(status);
    expectSecurity(rawHeaders(res.text), `node ${status}`);
    expect(rawHeaders(res.text)['cache-control']).toBe('no-store');
  });

  it('headers too slow: 408 with the security headers', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: node.port });
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    await new Promise<void>((r) => socket.once('close', () => r()));
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expectSecurity(rawHeaders(text), 'node 408');
  });
});

describe('nginx, its own answers', () => {
  const LONG_URI = `/${'a'.repeat(20 * 1024)}`;
  const cases: Array<[string, string, number, string]> = [
    ['static', 'nginx-static', 400, 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: again\r\n\r\n'],
    ['static', 'nginx-static', 414, `GET ${LONG_URI} HTTP/1.1\r\nHost: localhost\r\n\r\n`],
    ['static', 'nginx-static', 501, 'GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['static', 'nginx-static', 505, 'GET / HTTP/2.0\r\nHost: localhost\r\n\r\n'],
    ['proxy', 'nginx-proxy', 400, 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: again\r\n\r\n'],
    ['proxy', 'nginx-proxy', 414, `GET ${LONG_URI} HTTP/1.1\r\nHost: localhost\r\n\r\n`],
    ['proxy', 'nginx-proxy', 501, 'GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['proxy', 'nginx-proxy', 505, 'GET / HTTP/2.0\r\nHost: localhost\r\n\r\n'],
    ['proxy, container down', 'dead-proxy', 502, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
    ['plain HTTP redirect', 'nginx-http', 301, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ];
  it.for(cases)('%s (%s): %i with the security headers', async ([, t, status, raw], ctx) => {
    if (!targets[t]) return ctx.skip();
    const res = await rawRequest(targets[t]!, raw);
    expect(res.status).toBe(status);
    const headers = rawHeaders(res.text);
    expectSecurity(headers, `${t} ${status}`);
    if (status >= 400) expect(headers['cache-control'], `${t} ${status}`).toBe('no-store');
  });

  it.for(['nginx-static', 'nginx-proxy'])('%s: 413 for a large body, with the security headers', async (t, ctx) => {
    if (!targets[t]) return ctx.skip();
    const res = await request(targets[t]!, '/index.html', { method: 'POST', body: Buffer.alloc(64 * 1024, 0x61), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expectSecurity(res.headers, `${t} 413`);
  });

  it('proxy: a proxied answer carries each security header once (nginx replaces the container\'s copies)', async (ctx) => {
    if (!targets['nginx-proxy']) return ctx.skip();
    const res = await rawRequest(targets['nginx-proxy']!, 'GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(200);
    for (const name of Object.keys(SECURITY_HEADERS))
      expect(res.text.split('\r\n\r\n')[0]!.match(new RegExp(`^${name}:`, 'gim'))?.length, name).toBe(1);
    expect(rawHeaders(res.text)['cache-control']).toBe('no-cache');
  });
});

/** 8 lanes × 40 requests; how many came back 429, with one sample. */
async function hammer(t: Target, p: string): Promise<{ statuses: number[]; sample?: Record<string, string | string[] | undefined> }> {
  const statuses: number[] = [];
  let sample: Record<string, string | string[] | undefined> | undefined;
  await Promise.all(Array.from({ length: 8 }, async () => {
    for (let i = 0; i < 40; i++) {
      const res = await request(t, p);
      statuses.push(res.status);
      if (res.status === 429) sample = res.headers;
    }
  }));
  return { statuses, sample };
}

describe('limits and what is not public', () => {
  it.for(['limited-static', 'limited-proxy'])('%s: /healthz is rate-limited like any path, and the 429 has the headers', async (t, ctx) => {
    if (!targets[t]) return ctx.skip();
    const { statuses, sample } = await hammer(targets[t]!, '/healthz');
    expect(statuses.length).toBe(320);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expectSecurity(sample!, `${t} 429`);
  });

  it.for(['node', 'nginx-static', 'nginx-proxy'])('%s: source maps are never served', async (t, ctx) => {
    if (!targets[t]) return ctx.skip();
    expect(fs.existsSync(path.join(fx.root, `${fx.files.js}.map`))).toBe(true);
    for (const p of [`${fx.files.js}.map`, `${fx.files.js}.MAP`, `${fx.files.js}.map.br`, `${fx.files.js}.map.gz`]) {
      const res = await request(targets[t]!, p, { headers: { 'accept-encoding': 'br, gzip', ...(targets[t]!.ca ? {} : { 'x-forwarded-proto': 'https' }) } });
      expect(res.status, `${t} ${p}`).toBe(404);
      expect(res.body.includes(fx.secretMarker), `${t} ${p}`).toBe(false);
    }
  });

  it('/readyz names files as the site publishes them, never by absolute path', async () => {
    const dir = path.join(fx.root, 'model');
    const moved = `${dir}.away`;
    fs.renameSync(dir, moved);
    try {
      const res = await request(targets.node!, '/readyz');
      expect(res.status).toBe(503);
      const text = res.body.toString('utf8');
      expect(text).toContain('model/metadata.json');
      expect(text).not.toContain(fx.root);
      expect(text).not.toContain(fx.base);
    } finally {
      fs.renameSync(moved, dir);
    }
  });
});
