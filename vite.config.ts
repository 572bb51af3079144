import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The model under public/model/ is produced by training and served as-is (content-hashed shards).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: {
    // Same isolation headers as production, so WASM threads behave alike in dev.
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
