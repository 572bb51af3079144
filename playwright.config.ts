import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './testkit/browser/chromium';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './testkit/browser/global-setup.ts',
  // Two cores and tfjs in every page: one browser at a time keeps timings and memory sane.
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: chromiumLaunchOptions,
    trace: 'retain-on-failure',
  },
});
