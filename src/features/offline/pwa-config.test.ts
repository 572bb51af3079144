import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateSW, getManifest } from 'workbox-build';
import { REPO } from '../../../testkit/paths';
import { PRECACHE, pwaOptions } from './pwa-config';

const MiB = 1024 * 1024;

/** A dist/ shaped like Vite's, with a 5 MiB wasm (above Workbox's 2 MiB default) and a deployed model. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'respidetect-dist-'));
  const files: Record<string, Buffer | string> = {
    'index.html': '<!doctype html><div id="root"></div>',
    'index.html.br': 'x',
    'manifest.webmanifest': '{}',
    'assets/index-AbC123xy.js': 'console.log(1)',
    'assets/index-AbC123xy.js.map': '{}',
    'assets/worker-ZZtop999.js': 'self.onmessage=null',
    'assets/tfjs-backend-wasm-threaded-simd-Q1w2E3r4.wasm': randomBytes(5 * MiB),
    'icons/icon-192.png': 'png',
    'model/model.json': '{}',
    'model/metadata.json': '{}',
    'model/group1-shard1of1.0123456789abcdef.bin': randomBytes(4 * MiB),
  };
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

describe('service worker precache', () => {
  const dist = fakeDist();

  it('keeps a 5 MiB wasm that Workbox defaults would silently drop, and leaves the model to the loader', async () => {
    const ours = await getManifest({ globDirectory: dist, ...PRECACHE, globPatterns: [...PRECACHE.globPatterns], globIgnores: [...PRECACHE.globIgnores] });
    const urls = ours.manifestEntries?.map((e) => e.url) ?? [];
    expect(ours.warnings).toEqual([]);
    expect(urls).toContain('assets/tfjs-backend-wasm-threaded-simd-Q1w2E3r4.wasm');
    expect(urls).toEqual(expect.arrayContaining(['index.html', 'assets/index-AbC123xy.js', 'assets/worker-ZZtop999.js', 'icons/icon-192.png']));
    expect(urls.filter((u) => u.startsWith('model/') || u.endsWith('.map') || u.endsWith('.br'))).toEqual([]);

    // The failure this guards against: the default limit drops the wasm with only a warning.
    const defaults = await getManifest({ globDirectory: dist, globPatterns: [...PRECACHE.globPatterns], globIgnores: [...PRECACHE.globIgnores] });
    expect(defaults.manifestEntries?.map((e) => e.url)).not.toContain('assets/tfjs-backend-wasm-threaded-simd-Q1w2E3r4.wasm');
    expect(defaults.warnings.join('\n')).toMatch(/wasm is [\d.]+ MB, and won't be precached/);
  });

  it('generates a worker that serves navigations from the precached shell, except /model/ and health checks', async () => {
    const swDest = join(dist, 'sw.js');
    const { workbox } = pwaOptions;
    const result = await generateSW({ ...workbox!, globDirectory: dist, swDest } as Parameters<typeof generateSW>[0]);
    expect(result.warnings).toEqual([]);
    const sw = readFileSync(swDest, 'utf8');
    expect(sw).toContain('tfjs-backend-wasm-threaded-simd-Q1w2E3r4.wasm');
    expect(sw).not.toContain('group1-shard1of1');
    // Minified: NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [...] }).
    expect(sw).toMatch(/createHandlerBoundToURL\(\w+\)\),\{denylist:\[\/\^\\\/model\\\/\//);
    expect(sw).toMatch(/\w+="index\.html",\w+\(\)\.createHandlerBoundToURL/);
    // skipWaiting on message only: the update prompt decides when.
    expect(sw).toContain('SKIP_WAITING');
    expect(sw).not.toMatch(/^\s*self\.skipWaiting\(\)/m);
  });
});

describe('web app manifest', () => {
  const manifest = pwaOptions.manifest;

  it('has what Chromium requires to install the app', () => {
    expect(manifest).toBeTruthy();
    if (!manifest) return;
    expect(manifest.name).toBeTruthy();
    expect(manifest.short_name).toBeTruthy();
    expect(manifest.start_url).toBe('/');
    expect(['standalone', 'fullscreen', 'minimal-ui']).toContain(manifest.display);
    const any = (manifest.icons ?? []).filter((i) => (i.purpose ?? 'any').includes('any'));
    expect(any.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  });

  it.each((pwaOptions.manifest ? pwaOptions.manifest.icons ?? [] : []).map((i) => [i.src, i.sizes] as const))(
    'icon %s is a committed PNG of %s',
    async (src, sizes) => {
      const file = join(REPO, 'public', src);
      expect(existsSync(file), `${file} is missing: run scripts/make-icons.ts`).toBe(true);
      const meta = await sharp(file).metadata();
      expect(meta.format).toBe('png');
      expect(`${meta.width}x${meta.height}`).toBe(sizes);
    },
  );
});
