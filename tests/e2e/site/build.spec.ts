/**
 * Checks on the built site: links and fragments (linkinator, through the preview server, so the
 * base path is exercised), and the JavaScript budget of each chapter (sizes read from dist/).
 */
import { test, expect } from '@playwright/test';
import { LinkChecker } from 'linkinator';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { base, distDir, embedPages, readChapters, sitePath } from '../support/site';

const BUDGET_BYTES = 30 * 1024;

test('linkinator finds no broken internal link or fragment', async ({ baseURL }) => {
  const origin = baseURL!;
  const checker = new LinkChecker();
  const result = await checker.check({
    // The embed pages are linked from no page (they are for other sites' frames): start there too.
    path: [origin + sitePath(''), ...embedPages().map((p) => origin + p)],
    recurse: true,
    checkFragments: true,
    concurrency: 4,
    // Only this site: external links are not fetched (no request may leave it anyway).
    linksToSkip: async (link) => !link.startsWith(origin),
  });
  const broken = result.links.filter((l) => l.state === 'BROKEN').map((l) => `${l.url} (${l.status}) on ${l.parent}`);
  expect(broken).toEqual([]);
  // The crawl reached every chapter.
  for (const c of readChapters()) expect(result.links.some((l) => l.url.endsWith(`/chapters/${c.slug}/`))).toBe(true);
  for (const p of embedPages()) expect(result.links.some((l) => l.url.endsWith(p) && l.state === 'OK'), p).toBe(true);
});

/** dist/ file behind a site URL path. */
function distFile(path: string): string {
  const inside = path.startsWith(base) ? path.slice(base.length) : path.replace(/^\//, '');
  return join(distDir, inside.endsWith('/') || inside === '' ? `${inside}index.html` : inside);
}

/** A JS file and everything it imports statically (dynamic import() loads on use: not counted). */
function collectModule(path: string, seen: Set<string>): void {
  if (seen.has(path)) return;
  seen.add(path);
  const file = distFile(path);
  if (!existsSync(file)) throw new Error(`referenced script missing from dist: ${path}`);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/(?:\bimport|\bexport)\s*(?:[\w*{}\s,$]*?\bfrom\s*)?["']([^"']+\.m?js)["']/g)) {
    const spec = m[1]!;
    collectModule(spec.startsWith('/') ? spec : new URL(spec, `http://x${path}`).pathname, seen);
  }
}

for (const chapter of readChapters()) {
  test(`chapter "${chapter.slug}" ships at most 30 kB of JavaScript (gzip) and no render-blocking script`, () => {
    const pagePath = sitePath(`chapters/${chapter.slug}/`);
    const html = readFileSync(distFile(pagePath), 'utf8');
    const modules = new Set<string>();
    const attr = (tag: string, name: string) => new RegExp(`\\b${name}=["']([^"']+)["']`).exec(tag)?.[1];
    let inlineBytes = 0;

    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      const [tag = '', body = ''] = [m[1], m[2]];
      const src = attr(tag, 'src');
      if (/type=["']application\/(ld\+)?json["']/.test(tag)) continue;
      if (src) {
        expect(/type=["']module["']|\basync\b|\bdefer\b/.test(tag), `render-blocking <script src="${src}">`).toBe(true);
        collectModule(new URL(src, `http://x${pagePath}`).pathname, modules);
      } else {
        inlineBytes += gzipSync(body, { level: 9 }).length;
        const classicInHead = !/type=["']module["']/.test(tag) && html.indexOf(m[0]) < html.indexOf('</head>');
        if (classicInHead) expect(body.length, 'inline script in <head> must stay tiny').toBeLessThan(1024);
        for (const i of body.matchAll(/import\s*(?:[\w*{}\s,$]*?\bfrom\s*)?["']([^"']+\.m?js)["']/g)) {
          collectModule(new URL(i[1]!, `http://x${pagePath}`).pathname, modules);
        }
      }
    }
    // Preloaded modules and islands that hydrate on their own (client:load/visible/idle) count too.
    for (const m of html.matchAll(/<link\b[^>]*rel=["']modulepreload["'][^>]*>/g)) {
      collectModule(new URL(attr(m[0], 'href')!, `http://x${pagePath}`).pathname, modules);
    }
    for (const m of html.matchAll(/<astro-island\b[^>]*>/g)) {
      for (const a of ['component-url', 'renderer-url']) {
        const url = attr(m[0], a);
        if (url) collectModule(new URL(url, `http://x${pagePath}`).pathname, modules);
      }
    }

    const sizes = [...modules].map((p) => ({ p, gz: gzipSync(readFileSync(distFile(p)), { level: 9 }).length }));
    const total = inlineBytes + sizes.reduce((s, x) => s + x.gz, 0);
    test.info().annotations.push({ type: 'js-gzip-bytes', description: `${total} (${sizes.map((s) => `${s.p}: ${s.gz}`).join(', ')}; inline ${inlineBytes})` });
    expect(total, `JS for ${pagePath}: ${JSON.stringify(sizes)}`).toBeLessThanOrEqual(BUDGET_BYTES);
  });
}

test('a demo whose printout is in the notebook says how closely it matches (digit for digit or round-off), never "differs"', () => {
  const found: string[] = [];
  for (const c of readChapters()) {
    const html = readFileSync(distFile(sitePath(`chapters/${c.slug}/`)), 'utf8');
    for (const m of html.matchAll(/data-notebook-match="([a-z-]+)"[^>]*>([^<]*)</g)) {
      found.push(m[1]!);
      expect(m[1], `${c.slug}: ${m[2]}`).not.toBe('different');
      if (m[1] === 'round-off') expect(m[2]).toMatch(/to float32 round-off, not digit for digit/);
      expect(m[2]).not.toMatch(/the notebook’s result/);
    }
  }
  // The real chapters have printouts from the notebook (the fixture chapters may not).
  if (!process.env.CHAPTERS_DIR) expect(found.length).toBeGreaterThan(0);
});
