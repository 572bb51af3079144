import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { pwaOptions } from './src/features/offline/pwa-config';

// The model under public/model/ is produced by training and served as-is (content-hashed shards).
export default defineConfig({
  plugins: [react(), VitePWA(pwaOptions)],
  // Test builds (RESPIDETECT_TEST_HOOKS=1: e2e's buildApp) carry the Playwright hooks; in every other
  // build this is the literal false, and Rollup drops the hook code and its chunks entirely.
  define: { __TEST_HOOKS__: JSON.stringify(process.env.RESPIDETECT_TEST_HOOKS === '1') },
  worker: { format: 'es' },
  // 'hidden': maps are written for local debugging but not linked from the bundle; neither server serves them.
  build: { target: 'es2022', sourcemap: 'hidden' },
  server: {
    // Same isolation headers as production, so WASM threads behave alike in dev.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
