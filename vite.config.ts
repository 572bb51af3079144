import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { pwaOptions } from './src/features/offline/pwa-config';

// The model under public/model/ is produced by training and served as-is (content-hashed shards).
export default defineConfig({
  plugins: [react(), VitePWA(pwaOptions)],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: {
    // Same isolation headers as production, so WASM threads behave alike in dev.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
