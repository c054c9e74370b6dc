/**
 * The reader's view of the demos (issue 15, items 15, 16 and 21): at 375 px no chart text sits
 * on other text or on the curves, chapter 8's continuations are readable, Run is next to the
 * result; controls are in the UI font and an error message does not move the other fields.
 * Bounding boxes, measured in the page. (Embeds: tests/e2e/demos/embed.spec.ts and below.)
 */
import { expect, test, type Locator } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { embedSnippet } from '../../../src/lib/embed';
import { sitePath } from '../support/site';
import { backendOf, done, live, slot } from '../support/demo-page';

const PHONE = { width: 375, height: 740 };
type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

/** Every chart in a slot: its y-axis title's box and its y tick labels' boxes (page pixels). */
async function yAxisBoxes(s: Locator): Promise<{ chart: string; title: Box; ticks: Box[] }[]> {
  return s.locator('svg.chart').evaluateAll((svgs) =>
    svgs.flatMap((svg) => {
      const title = [...svg.querySelectorAll('text.al')].find((t) => /rotate\(-90\)/.test(t.getAttribute('transform') ?? ''));
      if (!title || (svg as SVGSVGElement).getBoundingClientRect().width === 0) return [];
      const box = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      };
      // Tick labels: right-anchored texts of the left axis group.
      const ticks = [...svg.querySelectorAll('g[aria-hidden="true"] text[text-anchor="end"]')].map(box);
      return [{ chart: svg.id, title: box(title), ticks }];
    }),
  );
}

test.describe('at 375 px', () => {
  test.use({ viewport: PHONE });

  for (const [chapter, demo] of [
    ['training', 'training'],
    ['rank', 'rank'],
    ['merging', 'merging'],
    ['low-rank', 'lowrank'],
    ['adapters', 'adapters'],
  ] as const) {
    test(`chapter ${chapter}: no y-axis title sits on its tick labels`, async ({ page }) => {
      await page.goto(sitePath(`chapters/${chapter}/`));
      const charts = await yAxisBoxes(slot(page, demo));
      expect(charts.length).toBeGreaterThan(0);
      for (const c of charts) {
        expect(c.ticks.length, c.chart).toBeGreaterThan(0);
        for (const t of c.ticks) expect(overlap(c.title, t), `${c.chart}: title ${JSON.stringify(c.title)} vs tick ${JSON.stringify(t)}`).toBe(false);
      }
    });
  }

  test('chapter 3, Adam preset: the legend covers none of the curves and fits the panel', async ({ page }, info) => {
    test.skip(backendOf(info) !== 'wasm', 'layout: the same on either backend');
    await page.goto(sitePath('chapters/training/'));
    const s = await live(page, 'training');
    await s.locator('[data-preset]').filter({ hasText: 'Adam' }).click();
    await done(s);
    const hits = await s.locator('svg.chart').first().evaluate((svg) => {
      const texts = [...svg.querySelectorAll('.lg text')].map((t) => t.getBoundingClientRect());
      const ctm = (svg as SVGSVGElement).getScreenCTM()!;
      const found: string[] = [];
      for (const path of svg.querySelectorAll<SVGPathElement>('path.ln')) {
        if (path.closest('.lg')) continue; // the legend's own swatches
        const len = path.getTotalLength();
        for (let l = 0; l <= len; l += 2) {
          const p = path.getPointAtLength(l).matrixTransform(ctm);
          for (const r of texts) if (p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom) found.push(`(${p.x.toFixed(0)}, ${p.y.toFixed(0)})`);
        }
      }
      // And none is cut by the panel's edge (a box laid out for smaller text runs off the right).
      const frame = svg.getBoundingClientRect();
      const cut = texts.filter((r) => r.left < frame.left - 0.5 || r.right > frame.right + 0.5).map((r) => `${r.left.toFixed(0)}–${r.right.toFixed(0)} outside ${frame.left.toFixed(0)}–${frame.right.toFixed(0)}`);
      return { found, legends: texts.length, cut };
    });
    expect(hits.legends).toBe(2);
    expect(hits.found).toEqual([]);
    expect(hits.cut).toEqual([]);
  });

  test('chapter 8: the continuations render at 12 CSS px or more', async ({ page }) => {
    await page.goto(sitePath('chapters/language-model/'));
    const s = page.locator('[data-demo="language-model"]');
    await s.scrollIntoViewIfNeeded();
    // Whatever shows the continuations (SVG text or its HTML version), the visible glyphs'
    // size on screen: an SVG text's font size times the drawing's scale.
    const sizes = await s.evaluate((el) => {
      const out: { text: string; px: number }[] = [];
      for (const t of el.querySelectorAll<SVGTextElement>('svg.chart text[font-family*="monospace"]')) {
        const svg = t.ownerSVGElement!;
        if (svg.getBoundingClientRect().width === 0) continue;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        out.push({ text: t.textContent ?? '', px: parseFloat(getComputedStyle(t).fontSize) * scale });
      }
      for (const p of el.querySelectorAll<HTMLElement>('[data-lm-samples] .lm-samples-text')) {
        if (p.getBoundingClientRect().width === 0) continue;
        out.push({ text: p.textContent ?? '', px: parseFloat(getComputedStyle(p).fontSize) });
      }
      return out;
    });
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.some((x) => x.text.includes('LOVE'))).toBe(true);
    for (const x of sizes) expect(x.px, x.text).toBeGreaterThanOrEqual(12);
  });

  test('chapter 8: Run is on screen with the settings and with the result', async ({ page }) => {
    await page.goto(sitePath('chapters/language-model/'));
    const s = page.locator('[data-demo="language-model"]');
    const run = s.locator('[data-action="run"]');
    const inView = async () => {
      const r = await run.boundingBox();
      return !!r && r.y >= 0 && r.y + r.height <= PHONE.height;
    };
    // The last field in view (Seed), then the top of the result: Run is on screen both times.
    await s.locator('[data-param]').last().scrollIntoViewIfNeeded();
    expect(await inView()).toBe(true);
    await s.locator('.demo-panels').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -60)); // below the sticky header
    expect(await inView()).toBe(true);
    // And at rest it sits right above the status and the result.
    const runBox = (await s.locator('.demo-run').boundingBox())!;
    const panels = (await s.locator('.demo-panels').boundingBox())!;
    expect(panels.y - (runBox.y + runBox.height)).toBeLessThan(PHONE.height / 3);
  });

  test('an error message does not widen its field or move the other fields', async ({ page }) => {
    await page.goto(sitePath('chapters/training/'));
    const s = await live(page, 'training');
    const boxes = () => s.locator('.demo-controls > [data-param]').evaluateAll((els) => els.map((e) => { const r = e.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.width)]; }));
    const before = await boxes();
    await s.locator('[data-input="rank"]').fill('a rank that is not a number at all');
    await expect(s.locator('[data-param="rank"] .demo-field-error')).toBeVisible();
    expect(await boxes()).toEqual(before);
  });
});

test('form controls and buttons use the UI font, not the body serif', async ({ page }) => {
  await page.goto(sitePath('chapters/training/'));
  const s = await live(page, 'training');
  const fonts = await s.evaluate((el) => {
    const sans = getComputedStyle(document.documentElement).getPropertyValue('--font-sans').trim();
    const pick = (sel: string) => [...el.querySelectorAll<HTMLElement>(sel)].map((e) => getComputedStyle(e).fontFamily);
    return { sans, controls: [...pick('input'), ...pick('select'), ...pick('button'), ...pick('label')] };
  });
  expect(fonts.controls.length).toBeGreaterThan(5);
  const norm = (f: string) => f.replace(/["']/g, '').replace(/\s*,\s*/g, ',');
  for (const f of fonts.controls) expect(norm(f)).toBe(norm(fonts.sans));
});

test('the backend is named in words a student knows', async ({ page }) => {
  await page.goto(sitePath('chapters/training/'));
  const s = await live(page, 'training');
  await expect(s.locator('.demo-backend')).toContainText('Run on');
  const options = await s.locator('select[data-backend] option').allTextContents();
  expect(options).toEqual(['Best available', 'GPU (WebGPU)', 'CPU (WebAssembly)']);
  await expect(s).not.toContainText('WASM · build');
  await expect(s.locator('.demo-badge-label')).toHaveText('Runs on:');
});

test('chapter 6: the bars are named after the adapters', async ({ page }) => {
  await page.goto(sitePath('chapters/adapters/'));
  const labels = await slot(page, 'adapters').locator('svg.chart').first().locator('g[aria-hidden="true"] text[text-anchor="middle"]').allTextContents();
  expect(labels).toEqual(['Base model', '+ Task A', '+ Task B']);
  await expect(slot(page, 'adapters').locator('svg.chart').first()).not.toContainText('1 = base model');
});

test.describe('embeds', () => {
  let server: Server;
  let origin = '';
  let page_ = '';
  test.beforeAll(async () => {
    // A course page on another site: only what "Copy embed code" gives, in a 375-px column.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><title>Week 5</title><body style="margin:0;width:375px"><h1>Week 5</h1>${page_}</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  test.afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const demo of ['language-model', 'training'] as const) {
    test(`${demo}: the frame grows to the demo's height with the snippet's one-line listener`, async ({ page, baseURL }, info) => {
      test.skip(backendOf(info) !== 'wasm', 'page code, the same on either backend');
      await page.setViewportSize(PHONE);
      // A starting height far too small: the listener must fix it.
      page_ = embedSnippet({ url: new URL(sitePath(`embed/${demo}/`), baseURL).href, title: 'Live demo', height: 300 }).replace('loading="lazy" ', '');
      expect(page_.split('\n')).toHaveLength(2);
      await page.goto(`${origin}/`);
      const iframe = page.locator('iframe');
      const frame = page.frames().find((f) => f.url().includes(`/embed/${demo}/`)) ?? (await iframe.elementHandle().then((h) => h!.contentFrame()))!;
      await expect(frame.locator(`[data-demo="${demo}"]`)).toBeVisible();
      await expect
        .poll(async () => {
          const inner = await frame.evaluate(() => document.documentElement.scrollHeight);
          const outer = (await iframe.boundingBox())!.height;
          return Math.abs(inner - outer) <= 2 ? 'fits' : `content ${inner} px in a ${outer} px frame`;
        })
        .toBe('fits');
      expect((await iframe.boundingBox())!.height).toBeGreaterThan(1000);
    });
  }

  test('?theme=dark and ?theme=light set the embed’s theme; another value is said, not ignored', async ({ page }, info) => {
    test.skip(backendOf(info) !== 'wasm', 'page code, the same on either backend');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${sitePath('embed/training/')}?theme=dark`);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${sitePath('embed/training/')}?theme=light`);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(dark);
    await expect(page.locator('[data-theme-note]')).toBeHidden();
    await page.goto(`${sitePath('embed/training/')}?theme=purple`);
    await expect(page.locator('[data-theme-note]')).toContainText('theme “purple” is not light or dark');
  });
});

test('chapter 8: before Run the time is said to be unknown, then estimated from this browser’s own steps', async ({ page }, info) => {
  test.skip(backendOf(info) !== 'wasm', 'page code; the timing itself is the backend’s');
  test.slow();
  await page.goto(`${sitePath('chapters/language-model/')}?language-model.steps=20&language-model.batch=2&language-model.sampleLength=40`);
  const s = page.locator('[data-demo="language-model"]');
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  const line = s.locator('[data-estimate]');
  await expect(line).toContainText('How long 20 steps take in this browser is unknown');
  // The chapter says why Run on the defaults redraws the same figure.
  await expect(page.locator('.prose')).toContainText('Pressing Run without changing anything redraws this figure number for number');
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const m = /^20 steps: about (\d+) (s|min) in this browser \((\d+) ms a step/.exec((await line.textContent()) ?? '');
  expect(m, (await line.textContent()) ?? '').not.toBeNull();
  const ms = Number(m![3]);
  expect(ms).toBeGreaterThan(0);
  // Steps × the measured time a step, for another number of steps; other settings: unknown again.
  await s.locator('[data-input="steps"]').fill('2000');
  await expect(line).toContainText('2000 steps: about');
  const text2 = (await line.textContent()) ?? '';
  const m2 = /^2000 steps: about (\d+) (s|min)/.exec(text2);
  expect(m2, text2).not.toBeNull();
  const secs2 = Number(m2![1]) * (m2![2] === 'min' ? 60 : 1);
  expect(Math.abs(secs2 - (ms * 2000) / 1000)).toBeLessThanOrEqual(m2![2] === 'min' ? 31 + (ms * 2) / 1000 : 1 + (ms * 2) / 1000);
  await s.locator('[data-input="batch"]').fill('4');
  await expect(line).toContainText('is unknown until a run with these settings has timed its first steps');
});
