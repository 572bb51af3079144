// @ts-check
// Writes the generated blocks of server/nginx.conf from the tables the Node server uses: precompressed
// brotli (nginx-precompressed.js) and the security headers (nginx-security.js). nginx.conf carries each
// between `# generated:<name> begin/end` lines (a block may stand in several server blocks);
// server/test/nginx-conf.test.ts fails when they differ.
//
// Usage: node server/src/nginx-generated.js --write server/nginx.conf   (rewrites the blocks)
//        node server/src/nginx-generated.js --check server/nginx.conf   (exit 1 when stale)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderLocations, renderMaps } from './nginx-precompressed.js';
import { renderProxyHideHeaders, renderSecurityHeaders } from './nginx-security.js';

const BLOCKS = {
  'precompressed-maps': renderMaps,
  'precompressed-locations': renderLocations,
  'security-headers': renderSecurityHeaders,
  'proxy-hide-security-headers': renderProxyHideHeaders,
};

/**
 * Replaces the body of every `# generated:<name> begin` … `# generated:<name> end` block in `conf`,
 * keeping each begin line's indentation. Throws when a block is missing.
 * @param {string} conf
 */
export function renderGeneratedBlocks(conf) {
  let out = conf;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const block = new RegExp(`^([ \\t]*)# generated:${name} begin[^\\n]*\\n[\\s\\S]*?^[ \\t]*# generated:${name} end[^\\n]*$`, 'gm');
    let found = false;
    out = out.replace(block, (whole, /** @type {string} */ indent) => {
      found = true;
      const [first] = whole.split('\n');
      return [first, ...render().map((l) => `${indent}${l}`.trimEnd()), `${indent}# generated:${name} end`].join('\n');
    });
    if (!found) throw new Error(`nginx.conf: no "# generated:${name} begin … end" block`);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== '--write' && mode !== '--check') || !file) {
    process.stderr.write('usage: node server/src/nginx-generated.js --write|--check server/nginx.conf\n');
    process.exit(2);
  }
  const conf = fs.readFileSync(file, 'utf8');
  const fresh = renderGeneratedBlocks(conf);
  if (mode === '--write') fs.writeFileSync(file, fresh);
  else if (fresh !== conf) {
    process.stderr.write(`${file}: generated blocks are stale; run node server/src/nginx-generated.js --write ${file}\n`);
    process.exit(1);
  }
}
