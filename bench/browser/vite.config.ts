import { defineConfig } from 'vite';

// Built by bench/lib/browser.ts into .cache/bench-web; never part of the app bundle.
export default defineConfig({
  root: __dirname,
  base: './',
  build: { target: 'es2022', emptyOutDir: true },
  logLevel: 'warn',
});
