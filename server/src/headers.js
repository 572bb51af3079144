// @ts-check
import mime from 'mime-types';

// The one definition of the security, caching and content headers. server/nginx.conf sends the same headers;
// server/test/parity.test.ts runs one table against both servers and fails when they drift.

/**
 * No inline script anywhere. 'wasm-unsafe-eval' is there only because tfjs-backend-wasm compiles
 * WebAssembly; it allows WebAssembly compilation, not eval(). Workers may come from blob: URLs
 * (tfjs-backend-wasm's threaded build spawns them that way). style-src has no 'unsafe-inline':
 * React applies `style` props through CSSOM (element.style), which CSP does not restrict.
 */
/**
 * The policy, with `connectTo` (PACS_ORIGINS: DICOMweb servers on other origins) added to connect-src.
 * @param {readonly string[]} [connectTo]
 */
export const contentSecurityPolicy = (connectTo = []) => [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  ["connect-src 'self'", ...connectTo].join(' '),
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

/** The policy as shipped: the page connects to its own origin only. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Sent on every response, errors included (with PACS_ORIGINS set: securityHeadersFor). */
export const SECURITY_HEADERS = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // Cross-origin isolation, so SharedArrayBuffer (WASM threads) is available.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
});

/**
 * The security headers for a server whose page may also connect to `pacsOrigins`.
 * @param {readonly string[]} [pacsOrigins]
 * @returns {Readonly<Record<string, string>>}
 */
export function securityHeadersFor(pacsOrigins = []) {
  return pacsOrigins.length === 0 ? SECURITY_HEADERS : Object.freeze({ ...SECURITY_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(pacsOrigins) });
}

/** Only over TLS: browsers ignore it on http, and sending it there would only mislead. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** Stored, but revalidated (ETag) before every use: the names that must change meaning in place. */
export const CACHE_REVALIDATE = 'no-cache';
/** Errors and health answers must never be reused. */
export const CACHE_NONE = 'no-store';

/**
 * Paths whose names carry a content hash, so their bytes can never change: Vite's assets,
 * the model's shards (<name>.<hex hash>.bin) and Workbox's runtime (workbox-<hex>.js).
 * Everything else — index.html, sw.js, manifest.webmanifest, model.json, metadata.json — is no-cache.
 */
export const IMMUTABLE_PATHS = [/^\/assets\//, /^\/model\/[^/]+\.[0-9a-f]{8,64}\.bin$/, /^\/workbox-[0-9a-f]{8,}\.js$/];

/**
 * Cache-Control for a successful (2xx/304) response for `pathname` (decoded; the file actually served,
 * so the SPA fallback asks for '/index.html').
 * @param {string} pathname
 */
export function cacheControlFor(pathname) {
  return IMMUTABLE_PATHS.some((re) => re.test(pathname)) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}

/**
 * Content-Type for a file extension (with the dot), as both servers send it: static.js for compressible
 * files, and the nginx locations rendered from it (server/src/nginx-precompressed.js), where a .br
 * sibling must still go out with its original file's type.
 * @param {string} ext
 */
export function contentTypeFor(ext) {
  return mime.contentType(ext.toLowerCase()) || 'application/octet-stream';
}

/** Sent with every answer that could have been (or was) a precompressed variant. */
export const VARY_ENCODING = 'Accept-Encoding';

/**
 * True when the client reached us over TLS: directly, or via a proxy (nginx, an ALB) that says so.
 * @param {import('node:http').IncomingMessage} req
 */
export function arrivedOverTls(req) {
  if (/** @type {import('node:tls').TLSSocket} */ (req.socket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {Readonly<Record<string, string>>} [headers] securityHeadersFor(config.pacsOrigins)
 */
export function applySecurityHeaders(req, res, headers = SECURITY_HEADERS) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (arrivedOverTls(req)) res.setHeader('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
}
