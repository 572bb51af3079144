import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Tests and the test kit (testkit/) may reach anything; production code may not reach them. */
const TESTS = ['**/*.test.ts', '**/*.test.tsx', '**/*.test.js', 'testkit/**'];

/** The app's feature slices (src/features/*). */
const FEATURES = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

const FEATURES_MEET_IN_APP = 'features import only src/lib, src/config, src/components, the contract and themselves; they meet in src/app and src/worker';
const ROOTS_APART = 'the page (src/app) and the inference worker (src/worker) share only src/lib/worker-protocol: neither imports the other';
const SHARED_BELOW_FEATURES = 'src/lib, src/config and src/components are shared below the features: they import no feature and no composition root';

/**
 * The architecture's import boundaries (README "Layout"), enforced so that they cannot drift:
 * - the contract imports nothing of ours (it is what both sides agree on);
 * - the app (src/) and training never import each other; both import the contract by name;
 * - production code never imports e2e/, bench/, test/ or the test kit (testkit/): those sit on top.
 * Paths are relative to the repository root. `except` entries are relative to their `from`.
 */
const ZONES = [
  { target: './contract', from: ['./src', './training', './server', './deploy', './e2e', './bench', './test', './testkit', './scripts'], message: 'the contract imports nothing of ours' },
  {
    target: './src',
    from: './training',
    message: 'the app imports the contract, never training',
  },
  // The app reads the "how to get a model" commands from the one JSON the server and README use too.
  { target: './src', from: './server', except: ['./src/get-a-model.json'], message: 'the app does not import the server' },
  { target: './training/src', from: './src', message: 'training imports the contract, never the app' },
  { target: './deploy', from: './training', message: 'deploy imports the contract, not training internals' },
  ...['./contract', './src', './training/src', './server/src', './deploy', './scripts'].map((target) => ({
    target,
    from: ['./e2e', './bench', './test', './testkit'],
    message: 'e2e, bench, tests and the test kit sit on top: production code never imports them',
  })),
];

/**
 * Features meet only in the composition roots: src/app (the page) and src/worker (the inference
 * worker, where inference, model delivery and adapt's worker part are wired together). A feature
 * imports src/lib, src/config, src/components (shared UI), the contract and itself, never another
 * feature or a root; the shared code imports neither (imports flow shared → features → roots).
 */
const FEATURE_ZONES = [
  ...FEATURES.map((f) => ({ target: `./src/features/${f}`, from: './src/features', except: [`./${f}`], message: FEATURES_MEET_IN_APP })),
  { target: './src/features', from: ['./src/app', './src/worker'], message: FEATURES_MEET_IN_APP },
  { target: ['./src/lib', './src/config', './src/components'], from: ['./src/features', './src/app', './src/worker'], message: SHARED_BELOW_FEATURES },
  // The page starts the worker by URL (src/app/use-inference.ts) and talks to it through lib/worker-protocol only.
  { target: './src/app', from: './src/worker', message: ROOTS_APART },
  { target: './src/worker', from: './src/app', message: ROOTS_APART },
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', '**/node_modules', 'public/model', 'mlruns', 'test-results', 'playwright-report', '.cache', 'dev-dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX },
    settings: {
      // no-cycle parses the modules it follows: with TypeScript's parser, or it sees no imports in .ts files.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      // Import cycles make module initialisation order-dependent; there are none, and there should stay none.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: TESTS,
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: ZONES }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: TESTS,
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...ZONES, ...FEATURE_ZONES] }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
