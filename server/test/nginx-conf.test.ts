// server/nginx.conf's generated blocks (precompressed brotli) and caching map must follow the tables
// the Node server uses; these checks need no nginx binary.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPRESSIBLE_EXTENSIONS } from '../src/compressible.js';
import { CACHE_IMMUTABLE, contentTypeFor, IMMUTABLE_PATHS, VARY_ENCODING } from '../src/headers.js';
import { renderGeneratedBlocks } from '../src/nginx-generated.js';
import { renderLocations } from '../src/nginx-precompressed.js';
import { NGINX_CONF } from '../../testkit/server/nginx';

const conf = fs.readFileSync(NGINX_CONF, 'utf8');

describe('server/nginx.conf', () => {
  it('carries the generated precompressed blocks exactly as rendered from compressible.js and headers.js', () => {
    // On failure: node server/src/nginx-generated.js --write server/nginx.conf
    expect(renderGeneratedBlocks(conf)).toBe(conf);
  });

  it('types every compressible extension as the Node server does, in exactly one location', () => {
    const blocks = renderLocations()
      .join('\n')
      .split(/^(?=location )/m)
      .map((b) => [/"\\\.\(\?:([^)]+)\)\$"/.exec(b)?.[1] ?? '', /default_type "([^"]+)";/.exec(b)?.[1]] as const);
    for (const ext of COMPRESSIBLE_EXTENSIONS) {
      const hits = blocks.filter((b) => b[0].split('|').includes(ext.slice(1)));
      expect(hits.length, ext).toBe(1);
      expect(hits[0]![1], ext).toBe(contentTypeFor(ext));
    }
    expect(conf).toContain(`"${VARY_ENCODING}"`);
  });

  it('does not load or use the brotli_static module, and keeps disable_symlinks on', () => {
    expect(conf).not.toMatch(/^\s*(load_module|brotli_static)\b/m);
    expect(conf).toMatch(/^\s*disable_symlinks on;/m);
  });

  it('marks as immutable exactly the paths headers.js does', () => {
    const map = /map \$rd_public_path \$rd_cache_ok \{([\s\S]*?)\n\s*\}/.exec(conf)?.[1] ?? '';
    const immutable = [...map.matchAll(/"~([^"]+)"\s+"([^"]+)";/g)].filter((m) => m[2] === CACHE_IMMUTABLE).map((m) => m[1]);
    expect(immutable).toEqual(IMMUTABLE_PATHS.map((r) => r.source.replace(/\\\//g, '/')));
  });
});
