import { existsSync } from 'node:fs';

// Debian's Chromium where it is installed (this project's CI machines, which cannot download
// browsers); elsewhere Playwright's own browser (`npx playwright install chromium`).
const debianChromium = '/usr/bin/chromium';

export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? (existsSync(debianChromium) ? debianChromium : undefined),
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // WebGL on SwiftShader when there is no GPU, so WebGL paths are tested, slowly, everywhere.
    '--enable-unsafe-swiftshader',
  ],
};
