/**
 * Screenshots of every demo for a person to look at (desktop, 375 px phone, dark), written to
 * $DEMO_SHOTS (e.g. DEMO_SHOTS=/tmp/shots). Skipped unless DEMO_SHOTS is set; asserts only that
 * the page does not scroll sideways on the phone.
 */
import { expect, test } from '@playwright/test';
import { DEMOS, backendOf, demoUrl, done, live, SMALL } from './demo-page';

const dir = process.env.DEMO_SHOTS;
const variants = [
  { name: 'desktop', viewport: { width: 1280, height: 900 }, colorScheme: 'light' as const },
  { name: 'phone', viewport: { width: 375, height: 812 }, colorScheme: 'light' as const },
  { name: 'dark', viewport: { width: 1280, height: 900 }, colorScheme: 'dark' as const },
];

test.describe('demo screenshots', () => {
  test.skip(!dir, 'set DEMO_SHOTS=<folder> to take screenshots');
  for (const v of variants) {
    test.describe(v.name, () => {
      test.use({ viewport: v.viewport, colorScheme: v.colorScheme });
      for (const demo of DEMOS) {
        test(demo, async ({ page }, info) => {
          const backend = backendOf(info);
          await page.goto(backend === 'wasm' ? demoUrl(demo, {}, 'wasm') : demoUrl(demo, SMALL[demo], backend));
          const s = await live(page, demo);
          await done(s);
          // Let the sticky header scroll away from the figure before the element screenshot.
          await s.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80));
          await s.screenshot({ path: `${dir}/${demo}-${v.name}-${backend}.png` });
          if (v.name === 'phone') {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            expect(overflow).toBeLessThanOrEqual(0);
          }
        });
      }
    });
  }
});
