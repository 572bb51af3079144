// @ts-check
// Renders the part of server/nginx.conf that serves the build's precompressed .br files, from the same
// tables the Node server uses (compressible.js: which extensions have variants; headers.js: their
// Content-Type and Vary). nginx.conf carries the output between `# generated:<name> begin/end` lines;
// server/test/nginx-conf.test.ts fails when they differ.
//
// Why not brotli_static: Debian's libnginx-mod-http-brotli-static (google/ngx_brotli, issues #123 and
// #134) computes the .br path 3 bytes too long. With `disable_symlinks on`, nginx walks those stray
// bytes for '/', and when an earlier request left one there it opens `<file>.js.br` as a directory
// (ENOTDIR); the module then declines and gzip_static answers: about 1 br request in 100 came back
// gzip. try_files builds paths with nginx's own code, so here a map picks the suffix and try_files
// tries `<file>.br` before `<file>`.
//
// Usage: node server/src/nginx-precompressed.js --write server/nginx.conf   (rewrites the blocks)
//        node server/src/nginx-precompressed.js --check server/nginx.conf   (exit 1 when stale)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPRESSIBLE_EXTENSIONS, ENCODINGS } from './compressible.js';
import { contentTypeFor, VARY_ENCODING } from './headers.js';

const BR = /** @type {{ encoding: string, suffix: string }} */ (ENCODINGS.find((e) => e.encoding === 'br'));

/** Escapes a literal for a PCRE pattern. @param {string} s */
const re = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * http-level maps. `$rd_negotiated` is the URI a generated location was entered with (set before
 * try_files runs); `$uri` is the file try_files chose. When the chosen file is the .br sibling, the
 * answer gets Content-Encoding and Vary; Cache-Control is decided on the path the client asked for.
 */
export function renderMaps() {
  const token = re(BR.encoding);
  return [
    `# Accepts br unless it is absent or q=0 (as Negotiator does in static.js). A Range request addresses`,
    `# identity bytes, as in static.js, so it never gets the .br sibling.`,
    `map "$http_range|$http_accept_encoding" $rd_br_suffix {`,
    `    default  "";`,
    `    "~*^\\|(.*,)?\\s*${token}\\s*(,|;\\s*q\\s*=\\s*(1|0?\\.0*[1-9])|$)"  "${BR.suffix}";`,
    `}`,
    `map "$rd_negotiated|$uri" $rd_content_encoding {`,
    `    default  "";`,
    `    "~^(.+)\\|\\1${re(BR.suffix)}$"  "${BR.encoding}";`,
    `}`,
    `# gzip_static adds Vary itself (gzip_vary on) whenever a .gz sibling exists; this covers the br answer.`,
    `map "$rd_negotiated|$uri" $rd_vary {`,
    `    default  "";`,
    `    "~^(.+)\\|\\1${re(BR.suffix)}$"  "${VARY_ENCODING}";`,
    `}`,
    `map "$rd_negotiated|$uri" $rd_public_path {`,
    `    default  $uri;`,
    `    "~^(.+)\\|\\1(${re(BR.suffix)})?$"  $1;`,
    `}`,
  ];
}

/**
 * One location per Content-Type: a .br sibling has extension "br", so nginx's mime table cannot type
 * it; `types {}` plus default_type gives the original file's type to both.
 */
export function renderLocations() {
  /** @type {Map<string, string[]>} */
  const byType = new Map();
  for (const ext of [...COMPRESSIBLE_EXTENSIONS].sort()) {
    const type = contentTypeFor(ext);
    byType.set(type, [...(byType.get(type) ?? []), ext.slice(1)]);
  }
  const lines = [];
  for (const [type, exts] of byType) {
    lines.push(
      `location ~* "\\.(?:${exts.map(re).join('|')})$" {`,
      `    set $rd_negotiated $uri;`,
      `    types { }`,
      `    default_type "${type}";`,
      `    try_files $uri$rd_br_suffix $uri =404;`,
      `}`,
    );
  }
  return lines;
}

const BLOCKS = { 'precompressed-maps': renderMaps, 'precompressed-locations': renderLocations };

/**
 * Replaces the body of every `# generated:<name> begin` … `# generated:<name> end` block in `conf`,
 * keeping the begin line's indentation. Throws when a block is missing.
 * @param {string} conf
 */
export function renderGeneratedBlocks(conf) {
  let out = conf;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const block = new RegExp(`^([ \\t]*)# generated:${name} begin[^\\n]*\\n[\\s\\S]*?^[ \\t]*# generated:${name} end[^\\n]*$`, 'm');
    const m = block.exec(out);
    if (!m) throw new Error(`nginx.conf: no "# generated:${name} begin … end" block`);
    const indent = m[1] ?? '';
    const [first] = m[0].split('\n');
    const body = render().map((l) => `${indent}${l}`.trimEnd());
    const last = `${indent}# generated:${name} end`;
    out = out.slice(0, m.index) + [first, ...body, last].join('\n') + out.slice(m.index + m[0].length);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== '--write' && mode !== '--check') || !file) {
    process.stderr.write('usage: node server/src/nginx-precompressed.js --write|--check server/nginx.conf\n');
    process.exit(2);
  }
  const conf = fs.readFileSync(file, 'utf8');
  const fresh = renderGeneratedBlocks(conf);
  if (mode === '--write') fs.writeFileSync(file, fresh);
  else if (fresh !== conf) {
    process.stderr.write(`${file}: generated blocks are stale; run node server/src/nginx-precompressed.js --write ${file}\n`);
    process.exit(1);
  }
}
