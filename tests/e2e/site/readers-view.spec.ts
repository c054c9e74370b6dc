/**
 * The reader's view (issue 15, items 18–20): where the summary sits, what the landing page
 * tells a newcomer, what /chapters.bib gives a reference manager. Layout at 375 px and the
 * embeds are in tests/e2e/demos/readers-view.spec.ts.
 */
import { test, expect } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chaptersDir, distDir, readChapters, sitePath } from '../support/site';
import { proseWords, readingMinutes } from '../../../src/lib/reading-time';

const chapters = readChapters();
const closing = chapters.filter((c) => c.closing);

test('the closing chapter (the summary) is read after every numbered chapter', async ({ page }) => {
  test.skip(closing.length === 0, 'these chapters have no closing chapter');
  const numbered = chapters.filter((c) => !c.closing);
  await page.goto(sitePath(''));
  const slugs = await page.locator('.chapter-list li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.replace(/\/$/, '').split('/').pop()));
  // Every numbered chapter, by number, then the closing one: whatever numbers get added later.
  expect(slugs).toEqual([...numbered.sort((a, b) => a.order - b.order), ...closing].map((c) => c.slug));
  // Listed and headed without a number; its old address still works.
  const last = closing[closing.length - 1]!;
  await expect(page.locator('.chapter-list li').last().locator('.chapter-num')).toHaveText('');
  const response = await page.goto(sitePath(`chapters/${last.slug}/`));
  expect(response?.status()).toBe(200);
  await expect(page.locator('.chapter-kicker')).toHaveText('Closing chapter');
  await expect(page.locator('.prev-next a[rel="next"]')).toHaveCount(0);
  // The last numbered chapter leads to it.
  await page.goto(sitePath(`chapters/${numbered[numbered.length - 1]!.slug}/`));
  await expect(page.locator('.prev-next a[rel="next"]')).toHaveAttribute('href', sitePath(`chapters/${last.slug}/`));
});

test('the landing page names the language-model chapter, prerequisites, notebooks and embedding', async ({ page }) => {
  await page.goto(sitePath(''));
  const lm = chapters.find((c) => c.slug === 'language-model');
  if (lm) await expect(page.locator('.hero a', { hasText: lm.title })).toHaveAttribute('href', sitePath(`chapters/${lm.slug}/`));
  await expect(page.getByRole('heading', { name: 'Before you start' })).toBeVisible();
  await expect(page.locator('[data-landing-before]')).toContainText('What you need');
  // Every notebook link is a file the site serves.
  const notebooks = await page.locator('[data-landing-notebooks] a[href$=".ipynb"]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  expect(notebooks.length).toBeGreaterThan(0);
  for (const url of notebooks) expect((await page.request.get(url)).status(), url).toBe(200);
  await expect(page.locator('[data-landing-embed]')).toContainText('Copy embed code');
  await expect(page.locator('[data-landing-embed]')).toContainText('?theme=');
});

test('reading times are the chapters’ word counts at the stated pace', async ({ page }) => {
  await page.goto(sitePath(''));
  const shown = await page.locator('.chapter-list .chapter-time').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.minutes)));
  const words = chapters.map((c) => proseWords(readFileSync(join(chaptersDir, c.file), 'utf8').replace(/^---[\s\S]*?\n---\r?\n/, '')));
  expect(shown).toEqual(words.map((w) => readingMinutes(w)));
  const total = readingMinutes(words.reduce((a, b) => a + b, 0));
  await expect(page.locator('[data-reading-time]')).toContainText(total < 90 ? `${total} minutes` : `${(total / 60).toFixed(1)} hours`);
  await expect(page.locator('[data-reading-time]')).toContainText('200 words a minute');
});

test('/chapters.bib: entries that standard styles print with their URL, and TeX quotes', async ({ request }) => {
  const bib = await (await request.get(sitePath('chapters.bib'))).text();
  const entries = bib.split(/^@/m).filter((e) => /^\w+\{/.test(e));
  expect(entries.length).toBe(chapters.length + 1);
  for (const e of entries) {
    // plain/unsrt/alpha print @misc's howpublished (and ignore url); biblatex prints url and urldate.
    expect(e).toMatch(/^misc\{/);
    expect(e).toMatch(/howpublished\s*=\s*\{[^\n]*\\url\{https?:\/\/[^}]+\}\}/);
    expect(e).toMatch(/\n\s*url\s*=\s*\{https?:\/\//);
    expect(e).toMatch(/urldate\s*=\s*\{\d{4}-\d{2}-\d{2}\}/);
    expect(e).toMatch(/publisher\s*=\s*\{.+\}/);
    const note = /note\s*=\s*\{(.*)\}\s*\}?\s*$/m.exec(e)?.[1] ?? '';
    expect(note).toContain('``');
    expect(note).not.toContain('"');
  }
  for (const c of chapters.filter((c) => !c.closing)) expect(bib).toContain(`Chapter ${c.order} of \\emph{`);
});

test('search indexes each formula once, as read, and not the demos’ controls', async ({ page }) => {
  test.skip(!existsSync(join(distDir, 'pagefind', 'pagefind.js')), 'no search index: run `npm run build` (astro build + pagefind)');
  await page.goto(sitePath(''));
  const found = await page.evaluate(async (bundle) => {
    const pf = await import(/* @vite-ignore */ `${bundle}pagefind.js`);
    await pf.init();
    const pages: { url: string; content: string; excerpt: string }[] = [];
    for (const term of ['alpha', 'rank', 'merge']) {
      const r = await pf.search(term);
      for (const hit of r.results.slice(0, 10)) {
        const d = await hit.data();
        pages.push({ url: d.url, content: d.content, excerpt: d.excerpt.replace(/<[^>]+>/g, '') });
      }
    }
    return pages;
  }, sitePath('pagefind/'));
  expect(found.length).toBeGreaterThan(0);
  for (const p of found) {
    // KaTeX's MathML copy carries the TeX source; indexed, an excerpt reads “α\alphaα”.
    expect(p.excerpt, p.url).not.toMatch(/\\(alpha|frac|mathbb|top|Delta)\b/);
    expect(p.content, p.url).not.toMatch(/\\(alpha|frac|mathbb|Delta)\b/);
    expect(p.content, p.url).not.toMatch(/αα|α\s*α\s*α/);
    // The demos' buttons and status lines are not the chapter's text.
    expect(p.content, p.url).not.toContain('Copy embed code');
    expect(p.content, p.url).not.toContain('Showing the result for the notebook’s settings');
    expect(p.content, p.url).not.toContain('Runs on:');
  }
});
