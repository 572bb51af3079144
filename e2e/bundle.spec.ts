/**
 * What the production build ships: the test hooks (src/app/test-hooks.ts) live in a chunk of their
 * own that only a `?testHooks` visit imports, never in the page's entry chunk; and the page's
 * entry chunk stays free of the DICOM reader (dcmjs), which only the worker needs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { readState } from './support/site';

test('the entry chunk holds no test hooks and no DICOM reader; the hooks are a chunk of their own', () => {
  const { appDir } = readState();
  const html = readFileSync(join(appDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  expect(entries.length, 'index.html loads an entry chunk').toBeGreaterThan(0);
  const js = readdirSync(join(appDir, 'assets')).filter((f) => f.endsWith('.js'));
  const hookChunks = js.filter((f) => readFileSync(join(appDir, 'assets', f), 'utf8').includes('__respidetect'));
  expect(hookChunks, 'exactly one chunk defines the page test hooks').toHaveLength(1);
  for (const entry of entries) {
    const code = readFileSync(join(appDir, entry), 'utf8');
    expect(code.includes('__respidetect'), `${entry}: test hooks in the entry chunk`).toBe(false);
    // dcmjs's own identifier for its parser; the page decodes nothing itself.
    expect(code.includes('DicomMessage'), `${entry}: dcmjs in the entry chunk`).toBe(false);
  }
  expect(entries.map((e) => e.replace('assets/', ''))).not.toContain(hookChunks[0]);
});
