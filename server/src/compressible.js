// @ts-check
// What gets precompressed at build time (precompress.js) and therefore where the server looks for .br/.gz
// siblings (static.js). Model shards (.bin) are left out on purpose: float weights barely compress
// (measured in bench/results/server.json, `shardCompression`), the variants would double the deploy size,
// and Range requests used to resume shard downloads must address the identity bytes.

/** Extensions (with the dot) worth compressing. */
export const COMPRESSIBLE_EXTENSIONS = new Set([
  '.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.svg', '.txt', '.xml', '.wasm', '.ico',
]);

/** Below this a compressed copy saves less than a TCP packet and costs a second file. */
export const MIN_COMPRESS_BYTES = 1024;

/** Keep a compressed copy only if it is at most this fraction of the original. */
export const MAX_COMPRESSED_RATIO = 0.9;

/** Content-Encoding token by file suffix, in the server's order of preference. */
export const ENCODINGS = /** @type {const} */ ([
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
]);
