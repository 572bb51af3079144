/**
 * vite-plugin-pwa settings (Workbox generateSW). The service worker precaches the app shell —
 * HTML, JS (the inference worker included), CSS, the tfjs .wasm binaries, icons, manifest — and
 * answers navigations with the precached index.html, so a reload with the network off works.
 *
 * The model is not precached: it is deployed separately from the app under /model/, and the model
 * loader (features/model-delivery) keeps it in a Cache Storage cache per model id, verifying every
 * sha256 before caching. So /model/ is kept out of the precache and out of the navigation fallback.
 */
import type { VitePWAOptions } from 'vite-plugin-pwa';

const MiB = 1024 * 1024;

/**
 * The precache selection, shared with the test that proves large files (tfjs wasm, which grows
 * with SIMD/threads builds) are kept rather than silently dropped. vite-plugin-pwa also fails the
 * build when a matched file exceeds the limit, so nothing can go uncached quietly.
 */
export const PRECACHE = {
  // The plugin adds manifest.webmanifest itself; globbing it too would list it twice.
  globPatterns: ['**/*.{js,mjs,css,html,wasm,png,svg,ico,woff2}'],
  // model/: delivered and cached by model-delivery; .br/.gz: the server's precompressed twins of
  // files already listed; maps: only for debugging.
  globIgnores: ['model/**', '**/*.map', '**/*.br', '**/*.gz'],
  maximumFileSizeToCacheInBytes: 32 * MiB,
} as const;

export const APP_NAME = 'RespiDetect — chest CT classifier';

export const pwaOptions: Partial<VitePWAOptions> = {
  strategies: 'generateSW',
  registerType: 'prompt',
  // Registered from our own bundle (features/offline/service-worker.ts): the CSP forbids inline
  // script, and the update prompt needs the registration anyway.
  injectRegister: false,
  filename: 'sw.js',
  manifestFilename: 'manifest.webmanifest',
  // favicon and icons are matched by PRECACHE's globs already.
  includeAssets: [],
  includeManifestIcons: false,
  manifest: {
    id: '/',
    name: APP_NAME,
    short_name: 'RespiDetect',
    description: 'Chest CT image classification that runs entirely in the browser, offline too. Research use only.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0f3d5e',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    ...PRECACHE,
    globPatterns: [...PRECACHE.globPatterns],
    globIgnores: [...PRECACHE.globIgnores],
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/model\//, /^\/(healthz|readyz)$/],
    // Vite's hashed file names already change with their content; no ?__WB_REVISION__ needed.
    dontCacheBustURLsMatching: /^assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/,
    cleanupOutdatedCaches: true,
    // A new worker waits until the user accepts the update prompt (never mid-batch)...
    skipWaiting: false,
    // ...but the very first one controls the page at once, so the first visit is already offline-ready.
    clientsClaim: true,
    inlineWorkboxRuntime: true,
    sourcemap: false,
  },
  devOptions: { enabled: false },
};
