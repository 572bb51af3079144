// @ts-check
// Turns the request-target into a decoded path that cannot name anything outside ROOT. This is the
// first of two fences; static.js's realpath check (for symlinks) is the second.

/**
 * @typedef {{ ok: true, path: string } | { ok: false, status: 400 | 404, reason: string }} ParsedPath
 */

/** Source maps, and their precompressed siblings. */
export const PRIVATE_SUFFIX = /\.map(\.br|\.gz)?$/i;

/**
 * @param {string | undefined} target req.url as received (origin-form expected).
 * @returns {ParsedPath}
 */
export function parseRequestPath(target) {
  // Absolute-form (GET http://host/x), asterisk-form and anything relative are not for a static origin.
  if (!target || target[0] !== '/') return { ok: false, status: 400, reason: 'request-target must start with /' };
  const cut = target.search(/[?#]/);
  const raw = cut === -1 ? target : target.slice(0, cut);
  let decoded;
  try {
    // Throws on malformed escapes and on invalid UTF-8, overlong encodings (%c0%ae) included.
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'NUL byte in path' };
  // A backslash is an ordinary filename character on Linux, but a separator to anyone reading the logs
  // on Windows and a classic traversal spelling; nothing we ship has one.
  if (decoded.includes('\\')) return { ok: false, status: 400, reason: 'backslash in path' };
  const segments = decoded.split('/');
  if (segments.includes('..')) return { ok: false, status: 400, reason: 'dot-dot segment in path' };
  if (segments.some((s) => s.length > 1 && s[0] === '.' && s !== '.well-known'))
    return { ok: false, status: 404, reason: 'dotfile' };
  // The build keeps source maps for whoever debugs a build locally (vite.config.ts: 'hidden'), but they
  // would hand anyone the app's full source and comments: never served. nginx.conf draws the same line.
  if (PRIVATE_SUFFIX.test(decoded)) return { ok: false, status: 404, reason: 'source map' };
  return { ok: true, path: decoded };
}

/**
 * Whether a missing path is a file the client expected (404) rather than an app route (index.html):
 * its last segment has an extension. nginx.conf's `location ~ "\.[^/]*$"` draws the same line.
 * @param {string} decodedPath
 */
export function looksLikeFile(decodedPath) {
  const last = decodedPath.slice(decodedPath.lastIndexOf('/') + 1);
  return last.includes('.');
}
