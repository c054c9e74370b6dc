/**
 * The service worker (src/sw/): offline use is the reader's choice. A first visit stores only
 * what the page used (a few hundred kB, never the 44 MB of the whole build); "Save for offline"
 * announces the size the build computed and afterwards the whole site and its demos, chapter 8
 * included, work with the network cut; offline, a model never saved says so. Behind a static
 * server that sends no COOP/COEP headers the worker's headers make the page (and its engine
 * worker, and same-origin iframes) cross-origin isolated after one reload; a new build of a
 * saved site replaces the cache and stays saved.
 */
import { test, expect, type Page } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SMALL, demoUrl, done, live, slot } from '../support/demo-page';
import { base, distDir, sitePath } from '../support/site';
import { startStaticServer, type StaticServer } from '../support/static-server';

// playwright.config.ts blocks service workers for every other test; these are about it.
test.use({ serviceWorkers: 'allow' });

/** Saving stores ~22 MB (the WASM build included): allow for a slow shared machine. */
const SAVED_TIMEOUT = 90_000;

/**
 * What "Save for offline" should announce, counted here from dist/ without the site's code:
 * every built file but sw.js, source maps, KaTeX's woff/ttf copies, the Pagefind index (written
 * after the worker) and the WebGPU build of onnxruntime-web (these tests run without WebGPU).
 */
function expectedSaveMb(): string {
  let bytes = 0;
  for (const e of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = relative(distDir, join(e.parentPath, e.name)).split(sep).join('/');
    if (/^sw\.js$|\.map$|\.(woff|ttf)$|^pagefind\/|\.(asyncify|jsep|jspi)\.|(^|\/)ort\.webgpu\./.test(path)) continue;
    bytes += statSync(join(distDir, path)).size;
  }
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

const offlineText = (page: Page) => page.locator('[data-offline-text]');

/** Press "Save for offline" (after checking what it announces) and wait until it says it is done. */
async function saveForOffline(page: Page): Promise<void> {
  await expect(offlineText(page)).toHaveText(`Save the whole site for offline use: ${expectedSaveMb()}`, { timeout: SAVED_TIMEOUT });
  await page.locator('[data-offline-save]').click();
  await expect(offlineText(page)).toContainText('Available offline', { timeout: SAVED_TIMEOUT });
  await expect(page.locator('[data-offline-save]')).toBeHidden();
}

/** crossOriginIsolated, or false while the page is between documents (the one reload). */
async function isolated(page: Page): Promise<boolean> {
  return page.evaluate(() => globalThis.crossOriginIsolated).catch(() => false);
}

/** Bytes of every entry of every Cache Storage cache of this origin. */
async function cachedBytes(page: Page): Promise<{ bytes: number; urls: string[] }> {
  return page.evaluate(async () => {
    let bytes = 0;
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        urls.push(req.url);
        bytes += (await (await cache.match(req))!.arrayBuffer()).byteLength;
      }
    }
    return { bytes, urls };
  });
}

test('a first visit costs what the page uses: one chapter read for 20 s without pressing anything stays under 3 MB in all', async ({ page }) => {
  let network = 0;
  const big: string[] = [];
  page.on('requestfinished', async (r) => {
    const res = await r.response();
    if (!res || res.fromServiceWorker()) return; // served by the worker: counted in its cache below
    const sizes = await r.sizes();
    network += sizes.responseBodySize + sizes.responseHeadersSize;
    if (sizes.responseBodySize > 1e6) big.push(r.url());
  });
  await page.goto(sitePath('chapters/foundations/'));
  // The worker is in control (the page is kept), and offers the whole site without fetching it.
  await expect(offlineText(page)).toHaveText(`Save the whole site for offline use: ${expectedSaveMb()}`, { timeout: SAVED_TIMEOUT });
  await page.waitForTimeout(20_000);
  const stored = await cachedBytes(page);
  // The page read is kept for offline reading; the whole site, models and onnxruntime are not.
  expect(stored.urls).toContain(new URL(sitePath('chapters/foundations/'), page.url()).href);
  expect(stored.urls.filter((u) => /\.wasm$|safetensors|corpora\/|chapters\/(?!foundations\/)/.test(u))).toEqual([]);
  expect(big).toEqual([]);
  test.info().annotations.push({ type: 'first visit', description: `${network} B from the network + ${stored.bytes} B stored in ${stored.urls.length} entries` });
  expect(network + stored.bytes, `network ${network} B + stored ${stored.bytes} B`).toBeLessThanOrEqual(3e6);
});

test('after "Save for offline", other chapters and their demos, chapter 8 included, work with the network cut', async ({ page, context }) => {
  await page.goto(sitePath('chapters/foundations/'));
  await saveForOffline(page);
  // The one onnxruntime-web build this browser runs, not the other.
  const stored = await cachedBytes(page);
  expect(stored.urls.some((u) => /ort-wasm-simd-threaded\.[\w-]+\.wasm$/.test(u))).toBe(true);
  expect(stored.urls.filter((u) => /asyncify|jsep/.test(u))).toEqual([]);

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

  // Chapter 8: its model and texts were saved too; a tiny run trains to the end.
  await page.goto(`${sitePath('chapters/language-model/')}?backend=wasm&language-model.steps=2&language-model.batch=1&language-model.sampleLength=4`);
  const lm = page.locator('[data-demo="language-model"]');
  await lm.scrollIntoViewIfNeeded();
  await expect(lm).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  await lm.locator('[data-action="run"]').click();
  await expect(lm).toHaveAttribute('data-state', 'done', { timeout: 240_000 });

  // The landing page and the search page shell come from the cache too.
  await page.goto(sitePath(''));
  await expect(page.locator('.chapter-list li').first()).toBeVisible();

  expect(failed).toEqual([]);
  expect(notFromWorker).toEqual([]);
});

test('offline before chapter 8 ever ran, its Run says the model is not saved for offline use', async ({ page, context }) => {
  // Online, a reader runs chapter 1's demo (the worker keeps the engine it used), then opens
  // chapter 8 and scrolls to its demo, which waits for Run.
  await page.goto(sitePath('chapters/foundations/'));
  await expect(offlineText(page)).toContainText('Save the whole site for offline use', { timeout: SAVED_TIMEOUT });
  await page.goto(demoUrl('lowrank', SMALL.lowrank, 'wasm'));
  await done(await live(page, 'lowrank'));
  await page.goto(`${sitePath('chapters/language-model/')}?backend=wasm`);
  const lm = page.locator('[data-demo="language-model"]');
  await lm.scrollIntoViewIfNeeded();
  await expect(lm).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  await context.setOffline(true);
  await lm.locator('[data-action="run"]').click();
  await expect(lm.locator('[data-status]')).toContainText('The run failed', { timeout: 60_000 });
  // What it lacks first is chapter 8's own code (then its model): either way, said in words.
  await expect(lm.locator('[data-error]')).toContainText(/You are offline, and .* is not saved for offline use in this browser/);
  await expect(lm.locator('[data-error]')).not.toContainText('Failed to fetch');
});

test('offline before any demo ran, a demo says its engine is not saved for offline use', async ({ page, context }) => {
  await page.goto(sitePath('chapters/foundations/'));
  await expect(offlineText(page)).toContainText('Save the whole site for offline use', { timeout: SAVED_TIMEOUT });
  await page.goto(`${sitePath('chapters/language-model/')}?backend=wasm`);
  const lm = page.locator('[data-demo="language-model"]');
  await lm.scrollIntoViewIfNeeded();
  await expect(lm).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  await context.setOffline(true);
  await lm.locator('[data-action="run"]').click();
  await expect(lm.locator('[data-error]')).toContainText('engine is not saved for offline use in this browser', { timeout: 60_000 });
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
    await expect(offlineText(page)).toContainText('Save the whole site for offline use', { timeout: SAVED_TIMEOUT });
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

  test('a new build of a saved site replaces the cache and stays saved: the old version is deleted on activate', async ({ page }) => {
    await page.goto(server.origin + sitePath('chapters/foundations/'));
    await expect.poll(() => isolated(page), { timeout: SAVED_TIMEOUT }).toBe(true);
    await saveForOffline(page);
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
    await expect(offlineText(page)).toContainText('Available offline', { timeout: SAVED_TIMEOUT });
    expect(await isolated(page)).toBe(true);
  });
});
