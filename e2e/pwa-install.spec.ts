/**
 * The offline PWA in real Chromium against the real server/: installability: manifest fields, icons, and no installability errors from Chromium.
 * Each test assembles its own site (built app + a CLI-trained model) and starts its own server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import sharp from 'sharp';
import { chromiumLaunchOptions } from '../testkit/browser/chromium';
import { assembleSite } from '../testkit/browser/site';
import { offlineReady, pwaModels, serveForTest, stopServersAfterEach } from '../testkit/browser/pwa';

const { state, A } = pwaModels();

stopServersAfterEach();

test('the app is installable: manifest fields, icons, and no installability errors from Chromium', async () => {
  const server = await serveForTest(assembleSite(state.appDir, A.dir));
  const url = server.url;
  // Chromium reports "in-incognito" for Playwright's default contexts; installability needs a profile.
  const profile = mkdtempSync(join(tmpdir(), 'respidetect-profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    headless: true,
    ...chromiumLaunchOptions,
  });
  try {
    const page = await ctx.newPage();
    await page.goto(url);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const res = await page.request.get(new URL(href!, url).href);
    expect(res.ok()).toBe(true);
    const manifest = (await res.json()) as { name: string; short_name: string; start_url: string; display: string; icons: { src: string; sizes: string; type: string; purpose?: string }[] };
    expect(manifest.name).toContain('RespiDetect');
    expect(manifest.start_url).toBe('/');
    expect(manifest.display).toBe('standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size && (i.purpose ?? 'any').includes('any'));
      expect(icon, `a ${size} icon`).toBeTruthy();
      const img = await page.request.get(new URL(icon!.src, url).href);
      expect(img.ok()).toBe(true);
      expect(img.headers()['content-type']).toBe('image/png');
      const meta = await sharp(await img.body()).metadata();
      expect(`${meta.width}x${meta.height}`).toBe(size);
    }
    await offlineReady(page);
    const cdp = await ctx.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors).toEqual([]);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
