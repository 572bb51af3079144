/**
 * multipart/related (RFC 2387, framed as RFC 2046 5.1.1), the body of WADO-RS retrieves and STOW-RS
 * stores: parts separated by CRLF "--" boundary, each with its own headers, closed by "--" boundary "--".
 * Bytes in, bytes out; no part is decoded as text, since DICOM parts are binary.
 */
import { DicomWebError } from './errors';
import { concatBytes } from '../util/bytes';

export interface MultipartPart {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A Content-Type's parameters, lower-cased names, quotes removed: `multipart/related; type="application/dicom"; boundary=x`. */
export function contentTypeParams(contentType: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = contentType.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    params[name] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Framing is ASCII (boundaries and header lines, RFC 2046 5.1.1), so one byte per character. */
const enc = { encode: (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff) };
const latin1 = (b: Uint8Array): string => Array.from(b, (c) => String.fromCharCode(c)).join('');

/** First index of `needle` in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  outer: for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The parts of a multipart/related body. `what` names the request in errors. Throws 'malformed' when
 * the Content-Type is not multipart or has no boundary, when the body has no opening or no closing
 * delimiter (a truncated answer), or when a part has no header/body separator.
 */
export function parseMultipart(body: Uint8Array, contentType: string, what: string): MultipartPart[] {
  const { type, params } = contentTypeParams(contentType);
  if (!type.startsWith('multipart/')) throw new DicomWebError('malformed', `${what}: the PACS answered ${type || 'without a content type'}, not multipart/related.`, { details: contentType });
  const boundary = params.boundary;
  if (!boundary) throw new DicomWebError('malformed', `${what}: the multipart answer names no boundary.`, { details: contentType });
  const delim = enc.encode(`--${boundary}`);
  const crlfDelim = enc.encode(`\r\n--${boundary}`);
  const truncated = () => new DicomWebError('malformed', `${what}: the multipart answer is cut short (no closing boundary); the transfer was probably interrupted.`);
  // The first delimiter may open the body directly (no preamble) or follow a preamble and CRLF.
  let at: number;
  if (indexOf(body.subarray(0, delim.length), delim, 0) === 0) at = delim.length;
  else {
    const first = indexOf(body, crlfDelim, 0);
    if (first < 0) throw new DicomWebError('malformed', `${what}: the multipart answer has no part (boundary "${boundary}" not found).`);
    at = first + crlfDelim.length;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    // After a delimiter: "--" closes the body; otherwise optional whitespace, CRLF, then the part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) throw truncated();
    at += 2;
    const next = indexOf(body, crlfDelim, at);
    if (next < 0) throw truncated();
    const part = body.subarray(at, next);
    const sep = indexOf(part, enc.encode('\r\n\r\n'), 0);
    // A part with no headers starts with the blank line itself.
    const headerEnd = part[0] === 0x0d && part[1] === 0x0a ? 0 : sep;
    if (headerEnd < 0) throw new DicomWebError('malformed', `${what}: part ${parts.length + 1} of the multipart answer has no end of headers.`);
    const headers: Record<string, string> = {};
    for (const line of latin1(part.subarray(0, headerEnd)).split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    parts.push({ headers, body: part.subarray(headerEnd === 0 ? 2 : headerEnd + 4) });
    at = next + crlfDelim.length;
  }
}

/** A boundary that occurs in none of the parts (RFC 2046: up to 70 characters). */
export function pickBoundary(parts: readonly Uint8Array[], random: () => string): string {
  for (let i = 0; i < 8; i++) {
    const b = `respidetect-${random()}`.slice(0, 70);
    const d = enc.encode(`--${b}`);
    if (parts.every((p) => indexOf(p, d, 0) < 0)) return b;
  }
  throw new Error('pickBoundary: every boundary tried occurs in a part');
}

/** A multipart/related body: each part with its Content-Type, framed by `boundary`. */
export function buildMultipart(parts: readonly { contentType: string; body: Uint8Array }[], boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${p.contentType}\r\n\r\n`), p.body, enc.encode('\r\n'));
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}
