// Loopback HTTP(S) clients for tests: one that parses (node:http/https), one that sends raw bytes so
// malformed and traversal requests reach the server exactly as written.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface Target {
  name: string;
  host: '127.0.0.1';
  port: number;
  /** PEM of the self-signed CA when the target speaks TLS. */
  ca?: string;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function request(
  target: Target,
  pathAndQuery: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer; agent?: http.Agent } = {},
): Promise<Response> {
  const mod = target.ca ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: target.host,
        port: target.port,
        path: pathAndQuery,
        method: opts.method ?? 'GET',
        // Node's clients add no Accept-Encoding; tests say which encoding they want.
        headers: { 'accept-encoding': 'identity', ...opts.headers },
        agent: opts.agent ?? false,
        ...(target.ca ? { ca: target.ca, servername: 'localhost' } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${target.name} ${pathAndQuery}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RawResponse {
  /** Status code of the first response line, or null when the server closed without answering. */
  status: number | null;
  text: string;
}

/** Writes `raw` as-is and reads until the server closes (or `timeoutMs`). */
export function rawRequest(target: Target, raw: string | Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = target.ca
      ? tls.connect({ host: target.host, port: target.port, ca: target.ca, servername: 'localhost' })
      : net.connect({ host: target.host, port: target.port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`raw request timed out on ${target.name}`)), timeoutMs);
    socket.once(target.ca ? 'secureConnect' : 'connect', () => socket.write(raw));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err) => {
      clearTimeout(timer);
      // A reset after a complete answer is still an answer.
      if (chunks.length > 0) finish();
      else reject(err);
    });
    socket.on('close', () => finish());
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text });
    }
  });
}

/**
 * A loopback port that was free a moment ago. The port is closed before the caller binds it, so
 * another process can take it in between: servers under test bind port 0 and report their port
 * instead (startServer, spawnServer); startNginx, which cannot, retries on a bind collision and
 * checks that nginx owns its ports. Left for benches and for picking nginx's candidate ports.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
