/**
 * Draws the app icons (PNG 192, 512 and a maskable 512, as Chromium's installability check wants)
 * from one SVG with sharp. Run: node --import tsx scripts/make-icons.ts
 * (a Node build script, so it lives outside src/, which is browser code)
 * The PNGs are committed under public/icons/; rerun after changing the drawing.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Two lungs on the theme colour; `pad` shrinks the art into the maskable safe zone (80% circle). */
function svg(size: number, pad: number): string {
  const s = size;
  const inner = s * (1 - 2 * pad);
  const o = s * pad;
  const lung = (x: number, flip: boolean) =>
    `<path transform="translate(${o + x * inner} ${o + 0.22 * inner}) scale(${(flip ? -1 : 1) * inner / 100} ${inner / 100})"
      d="M0 0 C -18 4 -30 30 -30 58 C -30 70 -22 74 -12 70 C -4 66 0 60 0 50 Z" fill="#e8f1f7"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" viewBox="0 0 ${s} ${s}">
    <rect width="${s}" height="${s}" rx="${pad > 0 ? 0 : s * 0.18}" fill="#0f3d5e"/>
    <rect x="${o + inner * 0.475}" y="${o + inner * 0.12}" width="${inner * 0.05}" height="${inner * 0.3}" rx="${inner * 0.02}" fill="#e8f1f7"/>
    ${lung(0.45, false)}
    ${lung(0.55, true)}
    <circle cx="${o + inner * 0.36}" cy="${o + inner * 0.62}" r="${inner * 0.06}" fill="#f2a03d"/>
  </svg>`;
}

async function main(): Promise<void> {
  const out = join(REPO, 'public', 'icons');
  mkdirSync(out, { recursive: true });
  const icons: [string, number, number][] = [
    ['icon-192.png', 192, 0],
    ['icon-512.png', 512, 0],
    ['icon-maskable-512.png', 512, 0.1],
  ];
  for (const [name, size, pad] of icons) {
    await sharp(Buffer.from(svg(size, pad))).png({ compressionLevel: 9 }).toFile(join(out, name));
    process.stdout.write(`wrote public/icons/${name}\n`);
  }
}

await main();
