/** Replaced at build time (vite.config.ts `define`): true only in test builds, which carry the test hooks. */
declare const __TEST_HOOKS__: boolean;
