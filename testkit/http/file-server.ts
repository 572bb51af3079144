/**
 * A real HTTP server on 127.0.0.1 that serves a directory with Range/ETag support, and can be told
 * to misbehave on the next request for a file (cut the body, answer 5xx, ignore Range, send
 * corrupted bytes) so retry and integrity paths are exercised over real sockets.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Fault =
  | { kind: 'status'; status: number }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'ignore-range' }
  | { kind: 'corrupt' };

export interface TestFileServer {
  url: string;
  /** Queue faults for the next requests of `name` (one fault per request, in order). */
  fault(name: string, ...faults: Fault[]): void;
  /** Request headers seen, per file name. */
  requests(name: string): IncomingHttpHeaders[];
  /** Change which directory is served (a new deployment). */
  setRoot(dir: string): void;
  close(): Promise<void>;
}

export async function startFileServer(root: string): Promise<TestFileServer> {
  let dir = root;
  const faults = new Map<string, Fault[]>();
  const seen = new Map<string, IncomingHttpHeaders[]>();
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/model\//, '').replace(/^\//, '');
    seen.set(name, [...(seen.get(name) ?? []), req.headers]);
    const path = join(dir, name);
    if (name.includes('..') || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer = readFileSync(path);
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const fault = faults.get(name)?.shift();
    if (fault?.kind === 'status') {
      res.writeHead(fault.status).end();
      return;
    }
    if (fault?.kind === 'corrupt') {
      body = Buffer.from(body);
      body[0] = body[0]! ^ 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && fault?.kind !== 'ignore-range' && (!ifRange || ifRange === etag)) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': body.length - start,
        etag,
        'accept-ranges': 'bytes',
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length, etag, 'accept-ranges': 'bytes' });
    if (fault?.kind === 'cut') {
      // Send part of the body, then drop the connection: what a flaky proxy or Wi-Fi does.
      res.write(body.subarray(0, fault.afterBytes), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/model/`,
    fault: (name, ...f) => faults.set(name, [...(faults.get(name) ?? []), ...f]),
    requests: (name) => seen.get(name) ?? [],
    setRoot: (d) => {
      dir = d;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
