/**
 * A real HTTP proxy on 127.0.0.1 in front of a running server (the app's own, with its CSP and
 * COOP/COEP headers passed through untouched) that answers chosen requests with a 503 instead.
 * For requests Playwright's page.route cannot see: those of workers started by workers (tfjs's
 * WASM pthreads are started by the inference worker).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Paths answered 503 so far, and paths forwarded, in order. */
  failed: string[];
  forwarded: string[];
  close(): Promise<void>;
}

/** `fail(path, seenBefore)` decides per request; seenBefore counts earlier requests of the same path. */
export async function startFaultProxy(upstream: string, fail: (path: string, seenBefore: number) => boolean): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen = new Map<string, number>();
  const failed: string[] = [];
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const before = seen.get(path) ?? 0;
    seen.set(path, before + 1);
    if (fail(path, before)) {
      failed.push(path);
      res.writeHead(503, { 'content-type': 'text/plain', 'cross-origin-resource-policy': 'same-origin', 'cache-control': 'no-store' });
      res.end('failure injected by the test proxy');
      return;
    }
    forwarded.push(path);
    const up = request({ host: target.hostname, port: target.port, path, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failed,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
