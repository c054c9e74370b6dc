/**
 * What a course needs from the site besides its text: credit to the source notebook and a
 * licence (on the pages, in the citations and in the repository files), a printout without the
 * demo's controls and with the answers open, and charts and equations that stay legible at 375 px.
 *
 * The expected credit is written out here, not read from src/config/site.ts, so an edit there
 * that drops the credit fails this test.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { readChapters, sitePages, sitePath } from '../support/site';

const chapters = readChapters();
const NOTEBOOK_TITLE = 'LoRA: Low-Rank Adaptation from Scratch';
const NOTEBOOK_FILE = 'lora_fine_tuning.ipynb';
const NOTEBOOK_REPO = 'adiel2012/deep-learning-abc';
const CC_BY = 'https://creativecommons.org/licenses/by/4.0/';

test.describe('credit and licence', () => {
  test('the landing page names the source notebook, its repository and both licences', async ({ page }) => {
    await page.goto(sitePath(''));
    const credit = page.locator('[data-source-credit]');
    await expect(credit).toContainText(NOTEBOOK_TITLE);
    await expect(credit).toContainText(NOTEBOOK_FILE);
    await expect(credit).toContainText(NOTEBOOK_REPO);
    await expect(credit).toContainText('CC BY 4.0');
    await expect(credit).toContainText('MIT License');
    await expect(credit.locator(`a[href="https://github.com/${NOTEBOOK_REPO}"]`)).toHaveCount(1);
    await expect(credit.locator(`a[rel="license"][href="${CC_BY}"]`)).toHaveCount(1);
  });

  test('every page carries the licence in its footer and its metadata', async ({ page }) => {
    for (const path of sitePages()) {
      await page.goto(path);
      const footer = page.locator('[data-footer-licence]');
      await expect(footer, path).toContainText('CC BY 4.0');
      await expect(footer, path).toContainText('MIT License');
      await expect(footer, path).toContainText(NOTEBOOK_TITLE);
      await expect(footer.locator(`a[rel="license"][href="${CC_BY}"]`), path).toHaveCount(1);
      await expect(page.locator('meta[name="dc.rights"]'), path).toHaveAttribute('content', /CC BY 4\.0/);
      await expect(page.locator('meta[name="dc.source"]'), path).toHaveAttribute('content', new RegExp(`${NOTEBOOK_REPO}.*${NOTEBOOK_FILE}`));
    }
  });

  test("every chapter's citation block credits the notebook and states the licences", async ({ page }) => {
    for (const c of chapters) {
      await page.goto(sitePath(`chapters/${c.slug}/`));
      const where = `chapter ${c.slug}`;
      const source = page.locator('[data-cite-source]');
      await expect(source, where).toContainText(NOTEBOOK_TITLE);
      await expect(source, where).toContainText(NOTEBOOK_FILE);
      await expect(source, where).toContainText(NOTEBOOK_REPO);
      await expect(source.locator('[data-cite-licence]'), where).toContainText('CC BY 4.0');
      // BibTeX escapes the underscores of the file name.
      const bib = page.locator('.cite-bibtex');
      await expect(bib, where).toContainText(/note\s*=/);
      await expect(bib, where).toContainText('lora\\_fine\\_tuning.ipynb');
      await expect(bib, where).toContainText('CC BY 4.0');
    }
  });

  test('/chapters.bib gives every entry the note on source and licence', async ({ request }) => {
    const bib = await (await request.get(sitePath('chapters.bib'))).text();
    const entries = bib.split(/^@/m).filter((e) => /^\w+\{/.test(e));
    expect(entries.length).toBe(chapters.length + 1);
    for (const e of entries) {
      expect(e).toMatch(/note\s*=\s*\{.*Based on the notebook/);
      expect(e).toContain(NOTEBOOK_REPO);
      expect(e).toContain('CC BY 4.0');
    }
  });

  test('LICENSE, CITATION.cff and README.md carry the licence and the credit', () => {
    const licence = readFileSync('LICENSE', 'utf8');
    expect(licence).toMatch(/^MIT License/);
    expect(licence).toContain('CC BY 4.0');
    const cff = readFileSync('CITATION.cff', 'utf8');
    const references = cff.slice(cff.indexOf('\nreferences:'), cff.indexOf('\npreferred-citation:'));
    expect(references).toContain(`title: "${NOTEBOOK_TITLE}"`);
    expect(references).toContain(`https://github.com/${NOTEBOOK_REPO}`);
    expect(references).toContain(NOTEBOOK_FILE);
    expect(cff).toMatch(/license:\s*\n\s*- MIT\s*\n\s*- CC-BY-4\.0/);
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(NOTEBOOK_TITLE);
    expect(readme).toContain(NOTEBOOK_FILE);
    expect(readme).toContain(NOTEBOOK_REPO);
  });
});

/** Whether each element matching `selector` would be painted (false for display: none anywhere above it). */
async function visibility(page: Page, selector: string): Promise<boolean[]> {
  return page.$$eval(selector, (els) => els.map((el) => el.checkVisibility()));
}

test.describe('print', () => {
  // Dark on screen, so the test sees print switch the palette back to light.
  test.use({ colorScheme: 'dark' });

  test('demo controls, status, backend chip and menus do not print; figures and answers do', async ({ page }) => {
    await page.goto(sitePath('chapters/training/'));
    const demo = page.locator('.demo').first();
    await demo.scrollIntoViewIfNeeded();
    await expect(demo.locator('[data-badge]')).toBeVisible();
    const screen = await visibility(page, '.demo-toolbar, [data-controls], [data-status]');
    expect(screen.every(Boolean)).toBe(true);
    // The answers to "Check your understanding" (demo menus are <details> too).
    const answers = page.locator('.prose details:not([open])', { has: page.locator('summary', { hasText: 'Answers' }) }).locator('> :not(summary)').first();
    await expect(answers).toBeHidden();

    await page.emulateMedia({ media: 'print' });
    // Polled: the island may be redrawing the figure (it runs the demo once it has loaded).
    for (const selector of ['.demo-toolbar', '[data-controls]', '[data-status]', '[data-progress]', '[data-badge]', '[data-downloads]', '.site-header', '.site-menu', '.theme-toggle', '.copy-button']) {
      await expect.poll(async () => (await visibility(page, selector)).filter(Boolean).length, `${selector} prints`).toBe(0);
    }
    for (const selector of ['.demo-panels svg', '.demo figcaption', '[data-printout]', '.equation', '.cite-bibtex', '[data-footer-licence]']) {
      await expect
        .poll(async () => {
          const shown = await visibility(page, selector);
          return shown.length > 0 && shown.every(Boolean);
        }, `${selector} does not print`)
        .toBe(true);
    }
    // Answers print although their <details> is closed.
    await expect(answers).toBeVisible();
    expect((await answers.boundingBox())?.height ?? 0).toBeGreaterThan(10);
    // Light palette in print, though the screen is dark.
    const palette = await page.evaluate(() => {
      const css = getComputedStyle(document.documentElement);
      return {
        series1: css.getPropertyValue('--series-1').trim(),
        warningBg: css.getPropertyValue('--color-warning-bg').trim(),
        bg: getComputedStyle(document.body).backgroundColor,
      };
    });
    expect(palette).toEqual({ series1: '#0072b2', warningBg: '#fdf3ea', bg: 'rgb(255, 255, 255)' });
    const axisColour = await page.locator('.demo-panels svg text').first().evaluate((t) => getComputedStyle(t).fill);
    expect(axisColour).toBe('rgb(51, 51, 51)');
  });

  test('beforeprint opens the closed answers and afterprint closes them again', async ({ page }) => {
    await page.goto(sitePath('chapters/foundations/'));
    const closed = () => page.locator('.prose details:not([open])', { has: page.locator('summary', { hasText: 'Answers' }) }).count();
    const before = await closed();
    expect(before).toBeGreaterThan(0);
    await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
    expect(await closed()).toBe(0);
    await page.evaluate(() => dispatchEvent(new Event('afterprint')));
    expect(await closed()).toBe(before);
  });
});

test.describe('at 375 px', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('chart tick labels render at 11 px or more', async ({ page }) => {
    for (const slug of ['low-rank', 'training', 'merging', 'rank']) {
      await page.goto(sitePath(`chapters/${slug}/`));
      // Tick labels are the <text> of the aria-hidden label groups of each axis (axis.ts) and heatmap.
      const sizes = await page.$$eval('.demo-panel svg.chart g[aria-hidden="true"] text', (texts) =>
        (texts as SVGTextElement[])
          .filter((t) => (t.textContent ?? '').trim())
          .map((t) => {
            const svg = t.ownerSVGElement!;
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return {
              label: t.textContent,
              rendered: parseFloat(getComputedStyle(t).fontSize) * scale,
              height: t.getBoundingClientRect().height,
            };
          }),
      );
      expect(sizes.length, slug).toBeGreaterThan(5);
      const small = sizes.filter((s) => s.rendered < 11 || s.height < 11);
      expect(small, `${slug}: tick labels under 11 px`).toEqual([]);
    }
  });

  test('a wide equation shows that it scrolls and keeps its number in view', async ({ page }) => {
    await page.goto(sitePath('chapters/adapters/'));
    const wide = await page.$$eval('.equation', (eqs) =>
      eqs
        .filter((eq) => eq.scrollWidth > eq.clientWidth + 1 && eq.querySelector('.equation-number'))
        .map((eq) => {
          const style = getComputedStyle(eq);
          const box = eq.getBoundingClientRect();
          const numberBox = eq.querySelector('.equation-number')!.getBoundingClientRect();
          return {
            id: eq.id,
            shadow: style.backgroundImage.includes('radial-gradient') && style.backgroundAttachment.includes('local'),
            numberInView: numberBox.left >= box.left - 0.5 && numberBox.right <= box.right + 0.5 && numberBox.width > 0,
          };
        }),
    );
    expect(wide.length).toBeGreaterThan(0);
    for (const w of wide) expect(w, w.id).toEqual({ id: w.id, shadow: true, numberInView: true });
  });

  test('a printout or listing wider than the column shows that it scrolls', async ({ page }) => {
    await page.goto(sitePath('chapters/rank/'));
    const wide = await page.$$eval('.prose pre, .demo-printout', (pres) =>
      pres
        .filter((pre) => pre.checkVisibility() && pre.scrollWidth > pre.clientWidth + 1)
        .map((pre) => {
          const style = getComputedStyle(pre);
          return style.backgroundImage.includes('radial-gradient') && style.backgroundAttachment.includes('local');
        }),
    );
    expect(wide.length).toBeGreaterThan(0);
    expect(wide.every(Boolean)).toBe(true);
  });
});
