/**
 * What the production build ships. The test hooks (src/app/test-hooks.ts) are compiled only into
 * test builds (e2e's buildApp), so a production build holds no trace of them; and the page's entry
 * chunk stays free of the DICOM reader (dcmjs), which only the worker needs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { buildApp, readState } from '../testkit/browser/site';

const chunks = (appDir: string): Map<string, string> =>
  new Map(
    readdirSync(join(appDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => [f, readFileSync(join(appDir, 'assets', f), 'utf8')]),
  );
const entryChunks = (appDir: string): string[] =>
  [...readFileSync(join(appDir, 'index.html'), 'utf8').matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);

test('a production build holds no test hooks; its entry chunk no DICOM reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  try {
    buildApp(dir, { testHooks: false });
    const js = chunks(dir);
    const entries = entryChunks(dir);
    expect(entries.length, 'index.html loads an entry chunk').toBeGreaterThan(0);
    for (const [name, code] of js) {
      expect(code.includes('__respidetect'), `${name}: page test hooks in a production chunk`).toBe(false);
      expect(/^(worker-)?test-hooks/.test(name), `${name}: a test-hooks chunk in a production build`).toBe(false);
    }
    // dcmjs's own identifier for its parser: the page decodes nothing itself.
    for (const e of entries) expect(js.get(e)!.includes('DicomMessage'), `${e}: dcmjs in the entry chunk`).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test build the specs run has the hooks, in a chunk of their own', () => {
  const { appDir } = readState();
  const js = chunks(appDir);
  const withHooks = [...js].filter(([, code]) => code.includes('__respidetect')).map(([name]) => name);
  expect(withHooks).toHaveLength(1);
  expect(entryChunks(appDir)).not.toContain(withHooks[0]);
  // The worker's hooks: a chunk the worker imports only when a test asks (a production build has none, above).
  expect([...js.keys()].filter((name) => /^worker-test-hooks-/.test(name)), 'the worker hooks, in a chunk of their own').toHaveLength(1);
});
