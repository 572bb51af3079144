// @ts-check
// Renders the part of server/nginx.conf that serves the build's precompressed .br files, from the same
// tables the Node server uses (compressible.js: which extensions have variants; headers.js: their
// Content-Type and Vary). nginx-generated.js writes the output between `# generated:<name> begin/end`
// lines; server/test/nginx-conf.test.ts fails when they differ.
//
// Why not brotli_static: Debian's libnginx-mod-http-brotli-static (google/ngx_brotli, issues #123 and
// #134) computes the .br path 3 bytes too long. With `disable_symlinks on`, nginx walks those stray
// bytes for '/', and when an earlier request left one there it opens `<file>.js.br` as a directory
// (ENOTDIR); the module then declines and gzip_static answers: about 1 br request in 100 came back
// gzip. try_files builds paths with nginx's own code, so here a map picks the suffix and try_files
// tries `<file>.br` before `<file>`.
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
