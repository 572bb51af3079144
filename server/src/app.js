// @ts-check
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { checkReadiness } from './health.js';
import { applySecurityHeaders, CACHE_NONE, securityHeadersFor } from './headers.js';
import { createLogger } from './log.js';
import { rawReply, statusForClientError } from './raw-reply.js';
import { looksLikeFile, parseRequestPath } from './request-path.js';
import { resolveFile, sendFile } from './static.js';

/** @typedef {import('./config.js').ServerConfig} ServerConfig */
/** @typedef {import('./log.js').Logger} Logger */

/**
 * @typedef {object} RunningServer
 * @property {http.Server} server
 * @property {number} port the bound port (useful when config.port was 0)
 * @property {(reason: string) => Promise<{ clean: boolean }>} shutdown stop accepting, let in-flight
 *   responses finish; `clean` is false when the deadline forced connections closed
 */

// Idle sockets (a client that stopped reading mid-download) are dropped after this.
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {string} contentType
 * @param {string} body
 */
function reply(res, status, contentType, body) {
  const bytes = Buffer.from(body);
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', bytes.length);
  res.setHeader('Cache-Control', CACHE_NONE);
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/** @param {http.ServerResponse} res @param {number} status @param {unknown} body */
const replyJson = (res, status, body) => reply(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

/** @param {http.ServerResponse} res @param {number} status */
const replyStatus = (res, status) => reply(res, status, 'text/plain; charset=utf-8', `${http.STATUS_CODES[status] ?? 'Error'}\n`);

/**
 * Starts the static server for config.root and resolves once it listens.
 * @param {ServerConfig} config
 * @param {{ logger?: Logger }} [options]
 * @returns {Promise<RunningServer>}
 */
export async function startServer(config, options = {}) {
  const logger = options.logger ?? createLogger(config.logLevel);
  const realRoot = await fs.promises.realpath(config.root).catch(() => {
    throw new Error(`ROOT ${config.root} does not exist. Build the app first (npm run build) or point ROOT at a built dist/.`);
  });
  if (!(await fs.promises.stat(realRoot)).isDirectory()) throw new Error(`ROOT ${config.root} is not a directory`);
  if (!(await fs.promises.stat(path.join(realRoot, 'index.html')).catch(() => null)))
    logger.error('ROOT has no index.html; app routes will answer 404', { root: config.root });
  const roots = { root: config.root, realRoot };

  let shuttingDown = false;
  const security = securityHeadersFor(config.pacsOrigins);

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async function handle(req, res) {
    applySecurityHeaders(req, res, security);
    if (shuttingDown) res.setHeader('Connection', 'close');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      // We never read request bodies; closing beats draining one.
      res.setHeader('Connection', 'close');
      return replyStatus(res, 405);
    }
    const parsed = parseRequestPath(req.url);
    if (!parsed.ok) {
      logger.debug('rejected path', { url: req.url?.slice(0, 200), reason: parsed.reason });
      // A client that sends such a target is broken or probing; don't keep its connection.
      if (parsed.status === 400) res.setHeader('Connection', 'close');
      return replyStatus(res, parsed.status);
    }
    if (parsed.path === '/healthz') return replyJson(res, 200, { status: 'ok' });
    if (parsed.path === '/readyz') {
      const readiness = shuttingDown ? { ready: false, reason: 'shutting down' } : await checkReadiness(config.root);
      return replyJson(res, readiness.ready ? 200 : 503, readiness);
    }
    let file = await resolveFile(roots, parsed.path);
    let publicPath = parsed.path;
    if (!file && !looksLikeFile(parsed.path)) {
      // SPA fallback: an app route gets the shell; the client-side router takes it from there.
      file = await resolveFile(roots, '/index.html');
      publicPath = '/index.html';
    }
    if (!file) return replyStatus(res, 404);
    await sendFile(req, res, file, publicPath, (err) => {
      const status = err.status ?? 500;
      if (status >= 500) logger.error('send failed', { path: parsed.path, error: err.message });
      if (res.headersSent) return void res.destroy(err);
      // send may have set entity headers for the file it meant to send.
      for (const h of ['Content-Encoding', 'Content-Range', 'ETag', 'Last-Modified', 'Vary']) {
        if (status !== 416 || h !== 'Content-Range') res.removeHeader(h);
      }
      replyStatus(res, status);
    });
  }

  const server = http.createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // Node enforces headersTimeout only when this sweep runs (30 s by default), which would let a
      // slowloris client hold a socket for headersTimeout + 30 s.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      const started = process.hrtime.bigint();
      res.once('close', () => {
        if (shuttingDown) setImmediate(() => server.closeIdleConnections());
        if (!logger.enabled('info')) return;
        const noBody = req.method === 'HEAD' || res.statusCode === 304 || res.statusCode === 204;
        logger.info('request', {
          method: req.method,
          path: req.url?.split('?')[0]?.slice(0, 512),
          status: res.statusCode,
          bytes: noBody ? 0 : Number(res.getHeader('Content-Length') ?? 0),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...(res.writableFinished ? {} : { aborted: true }),
        });
      });
      handle(req, res).catch((/** @type {Error} */ err) => {
        logger.error('request failed', { path: req.url?.slice(0, 200), error: err.stack ?? String(err) });
        if (res.headersSent) res.destroy(err);
        else replyStatus(res, 500);
      });
    },
  );
  server.timeout = SOCKET_IDLE_TIMEOUT_MS;
  // Without a listener Node drops CONNECT sockets without a word; say no properly.
  server.on('connect', (/** @type {http.IncomingMessage} */ req, /** @type {import('node:stream').Duplex} */ socket) => {
    logger.info('request', { method: req.method, path: req.url?.slice(0, 200), status: 405, bytes: 0, ms: 0 });
    socket.end(rawReply(405, { Allow: 'GET, HEAD' }, security));
  });
  // Node's parser errors (bad syntax, headers too large, headers too slow) are answered here, with our
  // headers; Node's default answer has none. A socket that already has a response going is just closed.
  server.on('clientError', (/** @type {NodeJS.ErrnoException} */ err, /** @type {import('node:stream').Duplex} */ socket) => {
    const status = statusForClientError(err);
    logger.debug('client error', { code: err.code, status });
    // As Node's own handler decides: answer unless the peer is gone or a response already started.
    const inFlight = /** @type {{ _httpMessage?: { headersSent?: boolean } }} */ (socket)._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
    socket.end(rawReply(status, {}, security));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info('listening', { host: config.host, port, root: config.root });

  /** @type {Promise<{ clean: boolean }> | null} */
  let closing = null;
  /** @param {string} reason */
  function shutdown(reason) {
    closing ??= new Promise((resolve) => {
      shuttingDown = true;
      const deadline = setTimeout(() => {
        logger.error('shutdown deadline passed; cutting remaining connections', { afterMs: config.shutdownTimeoutMs });
        server.closeAllConnections();
        resolve({ clean: false });
      }, config.shutdownTimeoutMs);
      // close() stops accepting and drops idle keep-alive sockets; busy ones close after their response.
      server.close(() => {
        clearTimeout(deadline);
        logger.info('stopped', { reason });
        resolve({ clean: true });
      });
      // Logged once the listener is closed, so "shutting down" means new connections are refused.
      logger.info('shutting down', { reason });
    });
    return closing;
  }

  return { server, port, shutdown };
}
