/**
 * Screenshots of every demo for a person to look at (desktop, 375 px phone, dark), written to
 * $DEMO_SHOTS (e.g. DEMO_SHOTS=/tmp/shots). Skipped unless DEMO_SHOTS is set; asserts only that
 * the page does not scroll sideways on the phone.
 */
import { expect, test } from '@playwright/test';
import { DEMOS, backendOf, demoUrl, done, live, SMALL } from '../support/demo-page';

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

/**
 * A keyboard-only pass through every demo: from the demo's first control, Tab until focus
 * leaves the demo, a screenshot of the demo at every stop (DEMO_SHOTS/keyboard/<demo>-NN.png)
 * and the list of stops in <demo>-stops.txt. Asserts that every stop shows a focus ring, that
 * a chart is one stop, and that the Download menu opened from the keyboard closes on Escape.
 */
test.describe('keyboard-only pass', () => {
  test.skip(!dir, 'set DEMO_SHOTS=<folder> to take screenshots');
  test.use({ viewport: { width: 1280, height: 900 } });
  for (const demo of DEMOS) {
    test(demo, async ({ page }, info) => {
      const backend = backendOf(info);
      await page.goto(backend === 'wasm' ? demoUrl(demo, {}, 'wasm') : demoUrl(demo, SMALL[demo], backend));
      const s = await live(page, demo);
      await done(s);
      await s.locator('[data-preset]').first().focus(); // the toolbar comes first
      const stops: string[] = [];
      for (let n = 0; n < 60; n++) {
        const stop = await page.evaluate((id) => {
          const a = document.activeElement as HTMLElement | null;
          if (!a || !a.closest(`[data-demo="${id}"]`)) return null;
          const cs = getComputedStyle(a);
          const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none' || a.matches('[data-tip]');
          const what = a.getAttribute('data-tip')?.slice(0, 40) ?? a.getAttribute('data-action') ?? a.getAttribute('data-input') ?? a.textContent?.trim().slice(0, 30) ?? a.tagName;
          return { what: `${a.tagName.toLowerCase()} ${what}`, ring, chart: a.matches('[data-tip]') };
        }, demo);
        if (!stop) break;
        stops.push(stop.what);
        expect(stop.ring, `focus ring on ${stop.what}`).toBe(true);
        await s.screenshot({ path: `${dir}/keyboard/${demo}-${String(n).padStart(2, '0')}.png` });
        await page.keyboard.press('Tab');
      }
      const { writeFileSync, mkdirSync } = await import('node:fs');
      mkdirSync(`${dir}/keyboard`, { recursive: true });
      writeFileSync(`${dir}/keyboard/${demo}-stops.txt`, stops.join('\n') + '\n');
      expect(stops.length).toBeLessThan(45);
      // The Download menu from the keyboard: opens with Enter, closes with Escape.
      await s.locator('[data-downloads] summary').focus();
      await page.keyboard.press('Enter');
      await expect(s.locator('[data-downloads-menu] button').first()).toBeVisible();
      await s.screenshot({ path: `${dir}/keyboard/${demo}-menu.png` });
      await page.keyboard.press('Escape');
      await expect(s.locator('[data-downloads]')).not.toHaveAttribute('open', '');
    });
  }
});
