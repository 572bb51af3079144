/** A real HTTP server on 127.0.0.1 for download tests; each test gives it a request handler. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  url: string;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function startLoopback(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Loopback> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `body`, honouring `Range: bytes=N-` when `ranges` is true; `cutAt` drops the socket after that many body bytes. */
export function serveBytes(req: IncomingMessage, res: ServerResponse, body: Buffer, opts: { ranges: boolean; cutAt?: number }): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  let start = 0;
  if (opts.ranges && m) {
    start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(206, {
      'Content-Length': body.length - start,
      'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      'Accept-Ranges': 'bytes',
    });
  } else {
    res.writeHead(200, { 'Content-Length': body.length, ...(opts.ranges ? { 'Accept-Ranges': 'bytes' } : {}) });
  }
  const slice = body.subarray(start);
  if (opts.cutAt !== undefined && opts.cutAt < slice.length) {
    res.write(slice.subarray(0, opts.cutAt), () => {
      // Give the bytes a moment to reach the client, then kill the connection mid-body.
      setTimeout(() => res.socket?.destroy(), 50);
    });
    return;
  }
  res.end(slice);
}
