// The nginx test harness itself: nginx must be seen to own its ports (a stranger listening there is
// an error, not a pass), and it leaves no temp dir behind.
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePrecompressedFixture, type Fixture } from '../../testkit/server/fixture';
import { request } from '../../testkit/server/http';
import { requireNginx, startNginx } from '../../testkit/server/nginx';

const have = requireNginx('nginx harness tests');
let fx: Fixture;
beforeAll(async () => {
  fx = await makePrecompressedFixture({ shardBytes: 2048 });
});
afterAll(() => fx?.cleanup());

async function listen(): Promise<net.Server> {
  const srv = net.createServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nstranger'));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}
const portOf = (srv: net.Server) => (srv.address() as net.AddressInfo).port;

describe.runIf(have)('startNginx', () => {
  it('refuses to report success when other processes hold its ports and answer there', async () => {
    // Strangers that accept at once: a harness that only waits for "something accepts" would
    // return here and run the tests against them while nginx is still failing to bind.
    const strangers = [await listen(), await listen(), await listen()];
    const [http, stat, proxy] = strangers.map(portOf);
    try {
      await expect(startNginx({ root: fx.root, upstreamPort: 9, ports: { http: http!, static: stat!, proxy: proxy! }, tls: null, rateLimit: false })).rejects.toThrow(
        /Address already in use/,
      );
    } finally {
      await Promise.all(strangers.map((s) => new Promise((r) => s.close(r))));
    }
  }, 30_000);

  it('picks its own ports, answers on them as nginx, and removes its temp dir when stopped', async () => {
    const nginx = await startNginx({ root: fx.root, upstreamPort: 9, tls: null, rateLimit: false });
    try {
      expect(Number(fs.readFileSync(`${nginx.prefix}/nginx.pid`, 'utf8'))).toBe(nginx.pid);
      const res = await request({ name: 'nginx-static', host: '127.0.0.1', port: nginx.ports.static }, '/healthz');
      expect(res.status).toBe(200);
      expect(res.headers.server).toBe('nginx');
    } finally {
      await nginx.stop();
    }
    expect(fs.existsSync(nginx.prefix)).toBe(false);
  });
});
