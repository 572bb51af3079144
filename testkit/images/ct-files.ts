import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@playwright/test';
import { CHEST_CT_DIR, chestCtPresent, skipMessage } from '../datasets';

/**
 * The real chest CT set is required under CI=true and a visible skip elsewhere. Call inside a
 * test or describe body.
 */
export function requireChestCt(): void {
  test.skip(!chestCtPresent(), skipMessage());
}

/** `n` real CT files: sorted test-split PNGs of both classes, plus JPEGs (one named .png) when asked. */
export function ctFiles(n: number, withJpeg = true): string[] {
  const pick = (dir: string, count: number) =>
    readdirSync(join(CHEST_CT_DIR, dir))
      .sort()
      .slice(0, count)
      .map((f) => join(CHEST_CT_DIR, dir, f));
  const jpegs = withJpeg ? [join(CHEST_CT_DIR, 'train/normal/n7.png'), join(CHEST_CT_DIR, 'train/normal/n9.jpg')] : [];
  const rest = n - jpegs.length;
  return [...pick('test/adenocarcinoma', Math.ceil(rest / 2)), ...pick('test/normal', Math.floor(rest / 2)), ...jpegs];
}
