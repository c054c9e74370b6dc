import { test, expect, type Page } from '@playwright/test';
import { readChapters, sitePages, sitePath } from '../support/site';

const chapters = readChapters();

/** Records every request the page makes, so a test can assert none leaves the preview server. */
function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

function foreign(urls: string[], origin: string): string[] {
  return urls.filter((u) => !u.startsWith(origin + '/') && !/^(data|blob):/.test(u));
}

for (const chapter of chapters) {
  test.describe(`chapter ${chapter.order}: ${chapter.slug}`, () => {
    test('loads with its title, numbered equations and no KaTeX error', async ({ page, baseURL }) => {
      const requests = recordRequests(page);
      const response = await page.goto(sitePath(`chapters/${chapter.slug}/`));
      expect(response?.status()).toBe(200);
      await expect(page).toHaveTitle(new RegExp(`^${escapeRe(chapter.title)} · `));
      await expect(page.locator('h1')).toHaveText(chapter.title);

      // One .equation per $$ block of the MDX source; numbers run (order.1), (order.2), …
      await expect(page.locator('.prose .equation')).toHaveCount(chapter.displayEquations);
      const numbers = await page.locator('.prose .equation-number').allTextContents();
      expect(numbers).toEqual(Array.from({ length: chapter.numberedEquations }, (_, i) => `(${chapter.order}.${i + 1})`));
      await expect(page.locator('.prose .equation .katex-display')).toHaveCount(chapter.displayEquations);
      await expect(page.locator('.katex-error')).toHaveCount(0);
      // Labels from the source became anchors.
      for (const label of chapter.labels) {
        await expect(page.locator(`[id="${label.replace(/^eq:/, 'eq-').replace(/[^A-Za-z0-9_-]+/g, '-')}"]`)).toHaveCount(1);
      }

      await page.waitForLoadState('networkidle');
      expect(foreign(requests, baseURL!)).toEqual([]);
    });

    test('every in-page link (equations, headings, contents) resolves', async ({ page }) => {
      await page.goto(sitePath(`chapters/${chapter.slug}/`));
      const targets = await page.$$eval('a[href^="#"]', (links) =>
        links.map((a) => {
          const id = decodeURIComponent(a.getAttribute('href')!.slice(1));
          return { id, found: document.getElementById(id) !== null };
        }),
      );
      expect(targets.filter((t) => !t.found)).toEqual([]);
      // Each h2–h4 of the text has an id and a visible link icon pointing at it.
      const headings = await page.$$eval('.prose :is(h2, h3, h4)', (hs) =>
        hs.map((h) => ({ id: h.id, anchor: h.querySelector('a.heading-anchor')?.getAttribute('href') })),
      );
      for (const h of headings) expect(h.anchor).toBe(`#${h.id}`);
      await expect(page.locator('.prose .heading-anchor').first()).toBeVisible();
      // Equation references use the number of the equation they point to.
      const refs = await page.$$eval('a.eqref', (links) =>
        links.map((a) => {
          const target = document.getElementById(a.getAttribute('href')!.slice(1));
          return { text: a.textContent?.replace(/[()]/g, ''), number: target?.querySelector('.equation-number')?.textContent?.replace(/[()]/g, '') };
        }),
      );
      for (const r of refs) expect(r.text).toBe(r.number);
    });

    test('has canonical, Highwire citation tags and a cite block', async ({ page }) => {
      await page.goto(sitePath(`chapters/${chapter.slug}/`));
      const canonical = await page.locator('link[rel="canonical"]').getAttribute('href');
      expect(canonical).toMatch(new RegExp(`${escapeRe(sitePath(`chapters/${chapter.slug}/`))}$`));
      await expect(page.locator('meta[name="citation_title"]')).toHaveAttribute('content', chapter.title);
      expect(await page.locator('meta[name="citation_author"]').count()).toBeGreaterThan(0);
      await expect(page.locator('meta[name="citation_publication_date"]')).toHaveAttribute('content', /^\d{4}/);
      await expect(page.locator('meta[name="citation_public_url"]')).toHaveAttribute('content', canonical!);
      await expect(page.locator('.cite-bibtex')).toContainText(`title`);
      await expect(page.locator('.cite-bibtex')).toContainText(canonical!);
      await expect(page.locator('.cite-apa')).toContainText(chapter.title);
    });
  });
}

test('every page has a canonical link and citation tags, and makes no foreign request', async ({ page, baseURL }) => {
  const requests = recordRequests(page);
  for (const path of sitePages()) {
    await page.goto(path, { waitUntil: 'networkidle' });
    await expect(page.locator('link[rel="canonical"]'), path).toHaveCount(1);
    await expect(page.locator('meta[name="citation_title"]'), path).toHaveCount(1);
  }
  expect(foreign(requests, baseURL!)).toEqual([]);
});

test('the landing page lists every chapter with its description, in order', async ({ page }) => {
  await page.goto(sitePath(''));
  const items = page.locator('.chapter-list li');
  await expect(items).toHaveCount(chapters.length);
  for (const [i, c] of chapters.entries()) {
    await expect(items.nth(i).locator('a')).toHaveText(c.title);
    await expect(items.nth(i).locator('p')).toHaveText(c.description);
  }
  await expect(page.getByRole('heading', { name: 'How to cite' })).toBeVisible();
});

test('previous/next links follow the reading order', async ({ page }) => {
  for (const [i, c] of chapters.entries()) {
    await page.goto(sitePath(`chapters/${c.slug}/`));
    const next = chapters[i + 1];
    if (next) await expect(page.locator('.prev-next a[rel="next"]')).toHaveAttribute('href', sitePath(`chapters/${next.slug}/`));
    else await expect(page.locator('.prev-next a[rel="next"]')).toHaveCount(0);
  }
});

test('/chapters.bib has one entry per chapter', async ({ request }) => {
  const response = await request.get(sitePath('chapters.bib'));
  expect(response.status()).toBe(200);
  const bib = await response.text();
  for (const c of chapters) expect(bib).toContain(`/chapters/${c.slug}/`);
  expect(bib.match(/^@\w+\{/gm)).toHaveLength(chapters.length + 1);
});

test('every companion link offers its notebook in Colab (from the repository) and as a download that draws the notebook’s figures', async ({ page, request }) => {
  const { site } = await import('../../../src/config/site');
  const repo = new URL(site.repository).pathname.replace(/^\/+|\/+$/g, '');
  let plotting = 0;
  for (const c of chapters) {
    await page.goto(sitePath(`chapters/${c.slug}/`));
    for (const link of await page.locator('[data-companion]').all()) {
      const colab = await link.locator('[data-companion-colab]').getAttribute('href');
      const download = await link.locator('[data-companion-notebook]').getAttribute('href');
      const name = download!.slice(download!.lastIndexOf('/') + 1);
      expect(colab).toBe(`https://colab.research.google.com/github/${repo}/blob/main/companion/${name}`);
      const response = await request.get(download!);
      expect(response.status(), download!).toBe(200);
      const nb = JSON.parse(await response.text()) as { nbformat: number; cells: { source: string | string[] }[] };
      expect(nb.nbformat).toBe(4);
      // A notebook whose section of the source notebook draws a figure shows one (plt.show() in a kernel).
      if (nb.cells.some((cell) => [cell.source].flat().join('').includes('plt.show()'))) plotting += 1;
    }
  }
  // §1, §3, §4 and §5 of the source notebook draw figures; their notebooks do too.
  expect(plotting).toBeGreaterThanOrEqual(4);
});

test('an unknown page answers with the 404 page', async ({ page }) => {
  const response = await page.goto(sitePath('no-such-page/'));
  expect(response?.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('Page not found');
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
