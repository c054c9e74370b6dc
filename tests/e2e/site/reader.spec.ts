import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readChapters, sitePages, sitePath } from '../support/site';

const chapters = readChapters();

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on any page (${scheme})`, async ({ page }) => {
    // Every page, the /embed/ pages included, in one test: allow for a busy machine.
    test.slow();
    await page.emulateMedia({ colorScheme: scheme });
    const problems: string[] = [];
    for (const path of sitePages()) {
      await page.goto(path);
      const results = await new AxeBuilder({ page }).analyze();
      for (const v of results.violations) {
        problems.push(`${path} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
}

test('the theme toggle switches to dark and the choice persists', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(sitePath(''));
  const toggle = page.locator('[data-theme-toggle]');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const lightBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await page.goto(sitePath(`chapters/${chapters[0]!.slug}/`));
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(lightBg);
  // The chart palette flips with the theme.
  const series1 = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--series-1').trim());
  expect(series1).toBe('#56b4e9');
});

test('search for "merge" finds the chapter on merging', async ({ page, baseURL }) => {
  const merging = chapters.find((c) => c.slug === 'merging');
  test.skip(!merging, 'no merging chapter');
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(baseURL!)) foreign.push(r.url());
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(sitePath(''));
  const box = page.locator('.header-search input');
  await box.fill('merge');
  const hit = page.locator('.header-search .search-results a', { hasText: merging!.title });
  await expect(hit.first()).toBeVisible();
  await expect(hit.first()).toHaveAttribute('href', new RegExp(`${sitePath(`chapters/${merging!.slug}/`)}`));
  expect(foreign).toEqual([]);
});

test('search works from the phone menu', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(sitePath(''));
  await page.locator('.site-menu > summary').click();
  await page.locator('.site-menu-panel input').fill('low rank');
  await expect(page.locator('.site-menu-panel .search-results a').first()).toBeVisible();
});

test.describe('at 375 px', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('no page scrolls sideways', async ({ page }) => {
    for (const path of sitePages()) {
      await page.goto(path);
      const { scroll, width } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        width: document.documentElement.clientWidth,
      }));
      expect(scroll, `${path} is ${scroll}px wide`).toBeLessThanOrEqual(width);
    }
  });

  test('the chapter menu opens without JavaScript', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto(sitePath(''));
    await expect(page.locator('.sidebar')).toHaveCount(0);
    const menu = page.locator('.site-menu');
    await menu.locator('summary').click();
    for (const c of chapters) await expect(menu.getByRole('link', { name: c.title })).toBeVisible();
    // Without JS the search box and theme toggle (which need it) are not shown.
    await expect(page.locator('[data-theme-toggle]')).toBeHidden();
    await context.close();
  });
});
