import { defineConfig } from 'vitest/config';

export default defineConfig({
  // As a production build (vite.config.ts): no test hooks.
  define: { __TEST_HOOKS__: 'false' },
  test: {
    include: ['contract/**/*.test.ts', 'src/**/*.test.{ts,tsx}', 'training/**/*.test.ts', 'server/**/*.test.{ts,js}', 'bench/**/*.test.ts', 'deploy/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'e2e/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Two cores: tfjs-heavy files would fight over them, so files run two at a time at most.
    maxWorkers: 2,
  },
});
