// @ts-check
// The security headers as nginx.conf lines, from headers.js (the one definition). nginx-generated.js
// writes them into each server block; server/test/parity.test.ts checks them on the wire.
import { SECURITY_HEADERS } from './headers.js';

/** nginx quotes values in double quotes; none of ours contains one, and one that did would break the file. */
const quoted = (/** @type {string} */ v) => {
  if (v.includes('"')) throw new Error(`nginx.conf: a header value with a double quote cannot be rendered: ${v}`);
  return `"${v}"`;
};

/**
 * `add_header … always` for every security header: `always`, so nginx's own answers (400, 404, 413,
 * 414, 429, 5xx) carry them too. An add_header in a location would silently drop these (nginx inherits
 * add_header only when a level has none of its own), so the block sits at server level only.
 */
export function renderSecurityHeaders() {
  return Object.entries(SECURITY_HEADERS).map(([name, value]) => `add_header ${name} ${quoted(value)} always;`);
}

/**
 * In proxy mode the container sends the same headers; nginx drops its copies and adds its own, so that
 * proxied answers and nginx's own errors are alike and nothing is sent twice.
 */
export function renderProxyHideHeaders() {
  return Object.keys(SECURITY_HEADERS).map((name) => `proxy_hide_header ${name};`);
}
