/**
 * The service worker (src/sw/): after one visit the whole site and its demos work with the
 * network cut; behind a static server that sends no COOP/COEP headers the worker's headers make
 * the page (and its engine worker, and same-origin iframes) cross-origin isolated after one
 * reload; a new build replaces the cache.
 */
import { test, expect, type Page } from '@playwright/test';
import { SMALL, demoUrl, done, live, slot } from '../support/demo-page';
import { base, distDir, sitePath } from '../support/site';
import { startStaticServer, type StaticServer } from '../support/static-server';

// playwright.config.ts blocks service workers for every other test; these are about it.
test.use({ serviceWorkers: 'allow' });

/** The whole build is precached: wasm included, so allow for a slow shared machine. */
const SAVED_TIMEOUT = 90_000;

async function waitUntilSaved(page: Page): Promise<void> {
  await expect(page.locator('[data-offline-status]')).toHaveText('Available offline', { timeout: SAVED_TIMEOUT });
}

/** crossOriginIsolated, or false while the page is between documents (the one reload). */
async function isolated(page: Page): Promise<boolean> {
  return page.evaluate(() => globalThis.crossOriginIsolated).catch(() => false);
}

test('after one visit, other chapters and their demos work with the network cut', async ({ page, context }) => {
  await page.goto(sitePath('chapters/foundations/'));
  await waitUntilSaved(page);

  await context.setOffline(true);
  const notFromWorker: string[] = [];
  page.on('response', (r) => {
    if (!r.fromServiceWorker() && /^https?:/.test(r.url())) notFromWorker.push(r.url());
  });
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));

  // A chapter never opened online, with demo settings in the query.
  await page.goto(demoUrl('lowrank', SMALL.lowrank, 'wasm'));
  await expect(page.locator('h1')).toBeVisible();
  const lowrank = await live(page, 'lowrank');
  await done(lowrank);
  await expect(lowrank.locator('[data-status]')).toContainText('Done on');

  // A training demo, run again with its Run button.
  await page.goto(demoUrl('training', SMALL.training, 'wasm'));
  const training = await live(page, 'training');
  await done(training);
  await training.locator('[data-action="run"]').click();
  await done(training);
  await expect(training.locator('[data-status]')).toContainText('Done on');

  // The landing page and the search page shell come from the cache too.
  await page.goto(sitePath(''));
  await expect(page.locator('.chapter-list li').first()).toBeVisible();

  expect(failed).toEqual([]);
  expect(notFromWorker).toEqual([]);
});

test.describe('behind a static server that sends no COOP/COEP headers', () => {
  let server: StaticServer;
  test.beforeEach(async () => {
    server = await startStaticServer(distDir, base);
  });
  test.afterEach(async () => {
    await server.close();
  });

  test('the worker makes the page, its engine worker and same-origin iframes cross-origin isolated', async ({ page }) => {
    let documents = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) documents += 1;
    });
    const first = await page.goto(server.origin + demoUrl('lowrank', SMALL.lowrank, 'wasm'));
    // The host really sends none: the first load is not isolated.
    expect(first?.headers()['cross-origin-embedder-policy']).toBeUndefined();

    await expect.poll(() => isolated(page), { timeout: SAVED_TIMEOUT }).toBe(true);
    await waitUntilSaved(page);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    // Exactly one reload, and it does not repeat.
    await page.waitForTimeout(1000);
    expect(documents).toBe(2);

    // The demo runs, its engine worker is isolated too (WASM threads), and the page says so.
    const s = await live(page, 'lowrank');
    await done(s);
    const engine = page.workers().find((w) => w.url().includes('engine.worker'));
    expect(engine, 'engine worker').toBeTruthy();
    expect(await engine!.evaluate(() => [globalThis.crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, 'function']);
    await expect(slot(page, 'lowrank').locator('[data-badge-why]')).toContainText('multi-threaded');

    // A same-origin page framed by an isolated page loads, isolated too (as /embed/ pages will be).
    await page.evaluate((src) => {
      const f = document.createElement('iframe');
      f.id = 'framed';
      f.src = src;
      document.body.append(f);
    }, sitePath('chapters/merging/'));
    await expect(page.frameLocator('#framed').locator('h1')).toBeVisible();
    const framed = page.frames().find((f) => f.url().includes('/chapters/merging/'))!;
    expect(await framed.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });

  test('a new build replaces the cache: the old version is deleted on activate', async ({ page }) => {
    await page.goto(server.origin + sitePath('chapters/foundations/'));
    await expect.poll(() => isolated(page), { timeout: SAVED_TIMEOUT }).toBe(true);
    await waitUntilSaved(page);
    const before = await page.evaluate(() => caches.keys());
    expect(before).toHaveLength(1);
    const oldVersion = before[0]!.split(' ').pop()!;

    // Publish a "new build": the same files under another version.
    const newVersion = 'f'.repeat(oldVersion.length);
    server.rewrite.set('sw.js', (text) => text.replaceAll(oldVersion, newVersion));
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      await reg!.update();
    });
    await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: SAVED_TIMEOUT }).toEqual([before[0]!.replace(oldVersion, newVersion)]);

    // The new worker controls the page and serves it from its cache; no second isolation reload.
    await page.reload();
    await waitUntilSaved(page);
    expect(await isolated(page)).toBe(true);
  });
});
