// Screenshots of the built site for review and for README's docs/screenshot.png.
// Usage: node tests/e2e/support/screenshots.mjs <baseURL> <outDir> [paths...]
// Light and dark, desktop (1280×800) and phone (375×740); then print media (full page, from a
// dark screen, so a printout that keeps dark colours shows) as <page>-print.png.
import { chromium } from '@playwright/test';
import { existsSync, mkdirSync } from 'node:fs';

const [base = 'http://127.0.0.1:4322', out = '/tmp/shots', ...paths] = process.argv.slice(2);
const pages = paths.length ? paths : ['/', '/chapters/foundations/', '/chapters/merging/'];
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]]) {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport, colorScheme: scheme, deviceScaleFactor: device === 'phone' ? 2 : 1 });
    for (const path of pages) {
      await page.goto(base + path, { waitUntil: 'networkidle' });
      const name = (path.replace(/^\/|\/$/g, '').replace(/\//g, '-') || 'landing') + `-${device}-${scheme}.png`;
      await page.screenshot({ path: `${out}/${name}` });
    }
    await page.close();
  }
}
const print = await browser.newPage({ viewport: { width: 800, height: 1100 }, colorScheme: 'dark' });
for (const path of pages) {
  await print.goto(base + path, { waitUntil: 'networkidle' });
  await print.emulateMedia({ media: 'print' });
  // What the beforeprint handler does in a real print: open the answers.
  await print.evaluate(() => dispatchEvent(new Event('beforeprint')));
  const name = (path.replace(/^\/|\/$/g, '').replace(/\//g, '-') || 'landing') + '-print.png';
  await print.screenshot({ path: `${out}/${name}`, fullPage: true });
}
await browser.close();
