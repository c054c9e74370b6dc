/**
 * A figure's SVG opened on its own (what Download · SVG saves) shows the page's colours in the
 * light theme: the colour fallbacks inside it are the light tokens.
 */
import { expect, test } from '@playwright/test';
import { demoUrl, slot } from '../support/demo-page';

test('a heatmap SVG on its own has the page’s diverging colours', async ({ page, browser }) => {
  await page.goto(demoUrl('merging'));
  const panel = slot(page, 'merging').locator('[data-panels] svg').first();
  const onPage = await panel.evaluate((svg) =>
    ['pos', 'neg'].map((c) => getComputedStyle(svg.querySelector(`.${c}`)!).fill),
  );
  expect(onPage[0]).not.toBe(onPage[1]);
  const markup = await panel.evaluate((svg) => svg.outerHTML);
  const alone = await browser.newPage();
  await alone.setContent(markup);
  const standalone = await alone.locator('svg').evaluate((svg) =>
    ['pos', 'neg'].map((c) => getComputedStyle(svg.querySelector(`.${c}`)!).fill),
  );
  expect(standalone).toEqual(onPage);
  await alone.close();
});
