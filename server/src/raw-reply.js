// @ts-check
// Answers written straight to the socket, outside the request handler: Node's own parser errors
// (400, 408, 413, 431; 'clientError') and CONNECT (405). Node's defaults for these carry none of our
// headers, and a scanner that probes with a malformed request would see a server without them.
import http from 'node:http';
import { CACHE_NONE, SECURITY_HEADERS } from './headers.js';

/**
 * The status a client error deserves: Node's parser error codes, as its default handler maps them.
 * @param {NodeJS.ErrnoException} err
 */
export function statusForClientError(err) {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

/**
 * A complete HTTP/1.1 response with the security headers, a plain-text body and Connection: close.
 * No HSTS: nothing here knows whether the client came over TLS (behind nginx it did, and nginx adds it).
 * @param {number} status
 * @param {Record<string, string>} [extra] headers beyond the standard ones (e.g. Allow)
 * @param {Readonly<Record<string, string>>} [security] securityHeadersFor(config.pacsOrigins)
 */
export function rawReply(status, extra = {}, security = SECURITY_HEADERS) {
  const body = `${http.STATUS_CODES[status] ?? 'Error'}\n`;
  const headers = {
    ...security,
    'Cache-Control': CACHE_NONE,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...extra,
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
