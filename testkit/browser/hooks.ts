/**
 * The page's test hooks (src/app/test-hooks.ts), typed, for specs. The page installs them after a
 * dynamic import once it sees `?testHooks`, so each call first waits for them to exist.
 */
import type { Page } from '@playwright/test';
import type { HookResult, TestHooks } from '../../src/app/test-hooks';

type HookName = 'memory' | 'loseContext' | 'updateChecked' | 'results';

export async function callHook<K extends HookName>(page: Page, name: K): Promise<Awaited<ReturnType<TestHooks[K]>>> {
  await page.waitForFunction(() => '__respidetect' in globalThis);
  return page.evaluate((n) => (globalThis as unknown as { __respidetect: Record<string, () => unknown> }).__respidetect[n]!(), name) as Promise<Awaited<ReturnType<TestHooks[K]>>>;
}

export const numTensors = async (page: Page): Promise<number> => (await callHook(page, 'memory')).numTensors;
export const hookResults = (page: Page): Promise<HookResult[]> => callHook(page, 'results');
