/**
 * Course use of a single demo: "Export as Python" downloads the companion script with the
 * demo's current settings, and it prints the demo's numbers (needs a Python with torch:
 * COMPANION_PYTHON, else the test is skipped and says why); /embed/<demo>/ pages run their demo
 * inside an <iframe> on another site (a page of its own on another origin, served here) and on
 * this site, with URL state; "Copy embed code" writes that <iframe> for the current settings.
 * Backend-independent page code: run on the wasm project only.
 */
import { expect, test, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { base, distDir, sitePath } from '../support/site';
import { startStaticServer } from '../support/static-server';
import { backendOf, demoUrl, done, expectSamePrintout, guard, live, printout, type DemoId } from '../support/demo-page';

test.beforeEach(({}, info) => {
  test.skip(backendOf(info) !== 'wasm', 'embedding and export are the same page code on every backend');
});

/** Settings other than the notebook's, cheap on WASM. */
const TRAINING = { rank: '2', lr: '0.05', epochs: '30', seed: '3' };

function embedUrl(demo: DemoId, params: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [`${demo}.${k}`, v]));
  return `${sitePath(`embed/${demo}/`)}?${q}`;
}

/** A Python that imports torch, or the reason there is none. */
function python(): { python?: string; reason: string } {
  const p = process.env.COMPANION_PYTHON;
  if (!p) return { reason: 'COMPANION_PYTHON is not set (a Python with torch, e.g. /work/venv/bin/python)' };
  const r = spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? { python: p, reason: p } : { reason: `${p} cannot import torch: ${r.stderr.trim().split('\n').pop()}` };
}

test('Export as Python downloads the script for the current settings, and it prints the demo’s numbers', async ({ page }, info) => {
  const g = guard(page);
  await page.goto(demoUrl('training', TRAINING, 'wasm'));
  const s = await live(page, 'training');
  await done(s);
  const shown = await printout(s);

  const [download] = await Promise.all([page.waitForEvent('download'), s.locator('[data-action="export-python"]').click()]);
  expect(download.suggestedFilename()).toBe('training.py');
  await expect(s.locator('[data-status]')).toContainText('Saved training.py');
  const file = info.outputPath('training.py');
  await download.saveAs(file);
  const script = readFileSync(file, 'utf8');
  // The page's settings are in the block; the rest is the committed script.
  expect(script).toContain('"rank": 2,');
  expect(script).toContain('"lr": 0.05,');
  expect(script).toContain('"epochs": 30,');
  expect(script).toContain('"seed": 3,');
  g.check();

  const { python: py, reason } = python();
  test.skip(!py, `not running the exported script: ${reason}`);
  const run = spawnSync(py!, [file], { encoding: 'utf8', timeout: 120_000 });
  expect(run.status, run.stderr).toBe(0);
  // The same lines and numbers; losses within float32 round-off of PyTorch against ONNX Runtime.
  expectSamePrintout(run.stdout, shown);
});

/** The demo inside a frame, once its island is live. */
async function liveIn(frame: FrameLocator, demo: DemoId): Promise<Locator> {
  const s = frame.locator(`[data-demo="${demo}"]`);
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}

async function runsInFrame(page: Page): Promise<void> {
  await page.locator('#demo').scrollIntoViewIfNeeded(); // demos go live as they near the viewport
  const frame = page.frameLocator('#demo');
  const s = await liveIn(frame, 'training');
  await done(s);
  // URL state reached the framed page: the controls show it.
  await expect(s.locator('[data-input="epochs"]')).toHaveValue('30');
  // Press Run: a second result arrives (counted: a 30-epoch run is over too fast to catch "running").
  const inner = page.frames().find((f) => f.url().includes('/embed/training/'))!;
  await inner.evaluate(() => {
    const slot = document.querySelector<HTMLElement>('[data-demo="training"]')!;
    slot.dataset.results = '0';
    slot.addEventListener('demo:result', () => (slot.dataset.results = String(Number(slot.dataset.results) + 1)));
  });
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-results', '1', { timeout: 120_000 });
  await done(s);
  await expect(s.locator('[data-status]')).toContainText('Done on');
  await expect(s.locator('[data-printout]')).toContainText('Epoch  20');
  // Only the demo, its caption, the way back and the citation line.
  await expect(frame.locator('.site-header, .sidebar, .site-footer')).toHaveCount(0);
  await expect(frame.locator('figcaption')).toContainText('Mean squared error');
  await expect(frame.locator('[data-embed-back]')).toHaveAttribute('href', `${sitePath('chapters/training/')}#demo-training`);
  await expect(frame.locator('[data-embed-cite]')).toContainText('CC BY 4.0');
  await expect(frame.locator('[data-embed-cite]')).toContainText('lora_fine_tuning.ipynb');
}

/** A page of another site (another origin, no COOP/COEP, like a course page on an ordinary host) that frames `src`. */
async function startHost(): Promise<{ origin: string; framing(src: string): string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><title>A course page</title><h1>Week 3</h1>` +
        `<iframe id="demo" src="${src.replace(/"/g, '&quot;')}" title="Live demo" width="900" height="900" allow="clipboard-write; cross-origin-isolated"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost" where the site is served from 127.0.0.1: another site, not only another origin.
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    framing: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Frame `src` into a page of this site, the way a chapter could show another demo. */
async function frameInto(page: Page, src: string): Promise<void> {
  await page.evaluate((url) => {
    const f = document.createElement('iframe');
    f.id = 'demo';
    f.src = url;
    f.title = 'Live demo';
    f.style.cssText = 'width: 900px; height: 900px';
    document.body.append(f);
  }, src);
}

test.describe('an embedded demo runs inside an iframe', () => {
  let host: Awaited<ReturnType<typeof startHost>>;
  test.beforeAll(async () => {
    host = await startHost();
  });
  test.afterAll(async () => host.close());

  test('on a page of another site (another origin, no COOP/COEP)', async ({ page, baseURL }) => {
    const g = guard(page);
    await page.goto(host.framing(new URL(embedUrl('training', { epochs: '30' }), baseURL).href));
    await runsInFrame(page);
    g.check();
  });

  test('on a page of this site (same origin, cross-origin isolated)', async ({ page }) => {
    const g = guard(page);
    await page.goto(sitePath('chapters/foundations/'));
    await frameInto(page, embedUrl('training', { epochs: '30' }));
    await runsInFrame(page);
    const frame = page.frames().find((f) => f.url().includes('/embed/training/'))!;
    expect(await frame.evaluate(() => globalThis.crossOriginIsolated)).toBe(await page.evaluate(() => globalThis.crossOriginIsolated));
    g.check();
  });

  test.describe('with the service worker', () => {
    // playwright.config.ts blocks service workers elsewhere; this test is about one.
    test.use({ serviceWorkers: 'allow' });
    test('behind a static server that sends no COOP/COEP: the service worker’s headers do not break framing', async ({ page }) => {
      const site = await startStaticServer(distDir, base);
      try {
        // A first visit installs the worker; its headers make the page isolated after one reload.
        await page.goto(site.origin + sitePath('chapters/foundations/'));
        await expect.poll(() => page.evaluate(() => globalThis.crossOriginIsolated).catch(() => false), { timeout: 90_000 }).toBe(true);
        // Same origin, framed by the isolated page: the worker gives the frame COEP too.
        await frameInto(page, site.origin + embedUrl('training', { epochs: '30' }));
        await runsInFrame(page);
        // Another site framing the embed page of this host.
        await page.goto(host.framing(site.origin + embedUrl('training', { epochs: '30' })));
        await runsInFrame(page);
      } finally {
        await site.close();
      }
    });
  });
});

test('Copy embed code writes an <iframe> of the embed page with the current settings, absolute and under the base path', async ({ page, context, baseURL }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseURL!).origin });
  await page.goto(demoUrl('lowrank', { trueRank: '3', size: '16' }, 'wasm'));
  const s = await live(page, 'lowrank');
  await done(s);
  await s.locator('[data-action="copy-embed"]').click();
  await expect(s.locator('[data-status]')).toContainText('Embed code copied');
  const code = await page.evaluate(() => navigator.clipboard.readText());
  const src = /<iframe src="([^"]+)"/.exec(code)?.[1]?.replace(/&amp;/g, '&');
  expect(src, code).toBe(new URL(embedUrl('lowrank', { trueRank: '3', size: '16' }), baseURL).href);
  expect(code).toMatch(/title="Live demo: [^"]+"/);
  expect(code).toMatch(/height="\d+"/);

  // The snippet's URL opens the demo with those settings.
  await page.goto(src!);
  const e = await live(page, 'lowrank');
  await done(e);
  await expect(e.locator('[data-printout]')).toContainText('ΔW: 16x16, true rank 3');
});
