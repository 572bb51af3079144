// @ts-check
// Build step (root `postbuild`): writes .br and .gz beside every compressible file in the built app, so
// the server and nginx (gzip_static, and try_files for .br: see nginx-precompressed.js) send compressed bytes without compressing per request.
// Usage: node server/src/precompress.js <dir>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { COMPRESSIBLE_EXTENSIONS, ENCODINGS, MAX_COMPRESSED_RATIO, MIN_COMPRESS_BYTES } from './compressible.js';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** @type {Record<string, (data: Buffer) => Promise<Buffer>>} */
const COMPRESSORS = {
  br: (data) =>
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  gzip: (data) => gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
};

/** @param {string} dir @returns {AsyncGenerator<string>} */
async function* walk(dir) {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/** Same-directory temp name, then rename: a reader never sees half a file. @param {string} file @param {Buffer} data */
async function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
}

/**
 * @typedef {{ file: string, bytes: number, br: number | null, gzip: number | null }} FileResult
 */

/**
 * Compresses one file into its siblings. A variant that would not save at least 1 - MAX_COMPRESSED_RATIO
 * is not written, and a stale one from an earlier build is removed, so the server never serves it.
 * @param {string} file
 * @returns {Promise<FileResult>}
 */
export async function precompressFile(file) {
  const data = await fs.promises.readFile(file);
  /** @type {FileResult} */
  const result = { file, bytes: data.length, br: null, gzip: null };
  for (const { encoding, suffix } of ENCODINGS) {
    const out = data.length >= MIN_COMPRESS_BYTES ? await COMPRESSORS[encoding]?.(data) : undefined;
    if (out && out.length <= data.length * MAX_COMPRESSED_RATIO) {
      await writeAtomic(file + suffix, out);
      result[encoding] = out.length;
    } else {
      await fs.promises.rm(file + suffix, { force: true });
    }
  }
  return result;
}

/**
 * @param {string} dir
 * @returns {Promise<FileResult[]>}
 */
export async function precompressDir(dir) {
  /** @type {string[]} */
  const files = [];
  for await (const file of walk(dir)) {
    if (COMPRESSIBLE_EXTENSIONS.has(path.extname(file).toLowerCase())) files.push(file);
  }
  /** @type {FileResult[]} */
  const results = [];
  // Two at a time: brotli at quality 11 is CPU-bound and CI has two cores.
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const file = /** @type {string} */ (files[next++]);
      results.push(await precompressFile(file));
    }
  };
  await Promise.all([lane(), lane()]);
  return results.sort((a, b) => a.file.localeCompare(b.file));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node server/src/precompress.js <dir>\n');
    process.exit(2);
  }
  const stat = await fs.promises.stat(dir).catch(() => null);
  if (!stat?.isDirectory()) {
    process.stderr.write(`precompress: ${dir} is not a directory (run vite build first)\n`);
    process.exit(2);
  }
  const started = Date.now();
  const results = await precompressDir(dir);
  const sum = (/** @type {(r: FileResult) => number} */ f) => results.reduce((s, r) => s + f(r), 0);
  const summary = {
    dir,
    files: results.length,
    bytes: sum((r) => r.bytes),
    brBytes: sum((r) => r.br ?? r.bytes),
    gzipBytes: sum((r) => r.gzip ?? r.bytes),
    ms: Date.now() - started,
  };
  process.stdout.write(`precompress: ${JSON.stringify(summary)}\n`);
}
