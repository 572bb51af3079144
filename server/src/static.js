// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import send from 'send';
import Negotiator from 'negotiator';
import { COMPRESSIBLE_EXTENSIONS, ENCODINGS } from './compressible.js';
import { cacheControlFor, contentTypeFor, VARY_ENCODING } from './headers.js';

/** @typedef {{ path: string, size: number }} ResolvedFile */

/**
 * Maps a decoded URL path to a regular file under root. Returns null for anything else: missing,
 * a directory, or a symlink whose target lies outside root (the resolved real path must stay inside).
 * @param {{ root: string, realRoot: string }} roots root as configured; realRoot with its own symlinks resolved
 * @param {string} decodedPath from parseRequestPath (no '..' segments, no NUL)
 * @returns {Promise<ResolvedFile | null>}
 */
export async function resolveFile(roots, decodedPath) {
  const candidate = path.join(roots.root, decodedPath);
  if (!candidate.startsWith(roots.root + path.sep)) return null;
  let real;
  try {
    real = await fs.promises.realpath(candidate);
  } catch {
    return null;
  }
  if (!real.startsWith(roots.realRoot + path.sep)) return null;
  const stat = await fs.promises.stat(real).catch(() => null);
  return stat?.isFile() ? { path: real, size: stat.size } : null;
}

/**
 * The best precompressed sibling the client accepts, if one exists as a regular file (lstat: a
 * symlinked .br is ignored, so it cannot lead out of root either).
 * @param {import('node:http').IncomingMessage} req
 * @param {string} realPath
 * @returns {Promise<{ encoding: string, path: string } | null>}
 */
async function precompressedVariant(req, realPath) {
  const accepted = new Negotiator(req).encodings(
    ENCODINGS.map((e) => e.encoding),
    // @ts-expect-error negotiator 1.x takes { preferred }; its typings predate it. Without it a client's
    // "gzip, br" order would win over brotli's smaller files.
    { preferred: ENCODINGS.map((e) => e.encoding) },
  );
  for (const encoding of accepted) {
    const suffix = ENCODINGS.find((e) => e.encoding === encoding)?.suffix;
    if (!suffix) continue;
    const stat = await fs.promises.lstat(realPath + suffix).catch(() => null);
    if (stat?.isFile()) return { encoding, path: realPath + suffix };
  }
  return null;
}

/**
 * Whether any precompressed sibling exists, whatever this client accepts: then the response varies
 * by Accept-Encoding (nginx: gzip_static adds Vary on the same condition; nginx.conf adds it to br answers).
 * @param {string} realPath
 */
async function hasVariants(realPath) {
  for (const { suffix } of ENCODINGS) {
    const stat = await fs.promises.lstat(realPath + suffix).catch(() => null);
    if (stat?.isFile()) return true;
  }
  return false;
}

// Bigger reads than fs's 64 KiB default: a 4 MiB shard goes out in 8 reads instead of 64.
const READ_CHUNK_BYTES = 512 * 1024;

/**
 * Sends a resolved file: caching by its public path, precompressed variant when accepted, and
 * ETag/If-None-Match, Last-Modified and single Range requests via `send`.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {ResolvedFile} file
 * @param {string} publicPath the URL path the bytes belong to ('/index.html' for the SPA fallback)
 * @param {(err: Error & { status?: number }) => void} onError
 */
export async function sendFile(req, res, file, publicPath, onError) {
  res.setHeader('Cache-Control', cacheControlFor(publicPath));
  const ext = path.extname(file.path).toLowerCase();
  let bytesPath = file.path;
  if (COMPRESSIBLE_EXTENSIONS.has(ext)) {
    res.setHeader('Content-Type', contentTypeFor(ext));
    // A Range addresses identity bytes; resuming clients get exactly those.
    const variant = req.headers.range ? null : await precompressedVariant(req, file.path);
    if (variant) {
      res.setHeader('Content-Encoding', variant.encoding);
      bytesPath = variant.path;
    }
    if (variant || (await hasVariants(file.path))) res.setHeader('Vary', VARY_ENCODING);
  }
  send(req, bytesPath, /** @type {send.SendOptions} */ ({
    etag: true,
    lastModified: true,
    cacheControl: false,
    acceptRanges: true,
    // Already screened by parseRequestPath; 'allow' keeps a dotted ROOT (e.g. under ~/.cache) servable.
    dotfiles: 'allow',
    index: false,
    highWaterMark: READ_CHUNK_BYTES,
  }))
    .on('error', onError)
    .pipe(res);
}
