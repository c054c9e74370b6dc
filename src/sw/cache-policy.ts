/**
 * What the service worker does, as functions of the things it is given (CacheStorage, fetch,
 * the build manifest), so Node unit tests can drive it without a browser.
 * src/sw/service-worker.ts only wires these to the worker's events.
 *
 * - install: every file the build wrote (the manifest) goes into one cache named after the
 *   build's version; `addAll` is all-or-nothing, so an installed worker means a complete cache.
 * - activate: caches of other versions of this site (same scope) are deleted.
 * - fetch: precached files are served from the cache, anything else in scope from the network
 *   (and kept, so e.g. the search index fetched once also works offline); every response gets
 *   the cross-origin isolation headers, which is what lets WASM use threads on hosts that
 *   cannot send headers themselves.
 */

/** Written by the build (src/lib/service-worker-integration.ts) into dist/sw.js. */
export interface BuildManifest {
  /** Hash of every precached file's path and bytes: a new build with any change gets a new one. */
  version: string;
  /** URLs relative to the worker's scope (the site's base): '', 'chapters/low-rank/', '_astro/x.js'. */
  files: string[];
}

export const CACHE_PREFIX = 'lora-live';

/** One cache per site (scope) and version; two builds under different base paths keep their own. */
export function cacheName(scope: string, version: string): string {
  return `${CACHE_PREFIX} ${new URL(scope).pathname} ${version}`;
}

function ownedByScope(name: string, scope: string): boolean {
  return name.startsWith(`${CACHE_PREFIX} ${new URL(scope).pathname} `);
}

export function precacheUrls(scope: string, manifest: BuildManifest): string[] {
  return manifest.files.map((f) => new URL(f, scope).href);
}

/** Fill this version's cache. Rejects (and the install fails) if any file cannot be fetched. */
export async function precache(caches: CacheStorage, scope: string, manifest: BuildManifest): Promise<void> {
  const cache = await caches.open(cacheName(scope, manifest.version));
  // 'reload' skips the HTTP cache: pages are not content-hashed and must be this build's.
  await cache.addAll(precacheUrls(scope, manifest).map((u) => new Request(u, { cache: 'reload' })));
}

/** Delete caches of earlier (or later) builds of this site; returns the names deleted. */
export async function deleteOtherVersions(caches: CacheStorage, scope: string, version: string): Promise<string[]> {
  const keep = cacheName(scope, version);
  const stale = (await caches.keys()).filter((n) => ownedByScope(n, scope) && n !== keep);
  await Promise.all(stale.map((n) => caches.delete(n)));
  return stale;
}

export interface OfflineStatus {
  version: string;
  /** Precached files missing from the cache (0: every page and demo works offline). */
  missing: number;
  total: number;
}

/** Whether the cache still holds every file (browsers may evict storage). */
export async function offlineStatus(caches: CacheStorage, scope: string, manifest: BuildManifest): Promise<OfflineStatus> {
  const cache = await caches.open(cacheName(scope, manifest.version));
  const urls = precacheUrls(scope, manifest);
  const present = await Promise.all(urls.map((u) => cache.match(u)));
  return { version: manifest.version, missing: present.filter((r) => !r).length, total: urls.length };
}

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  // require-corp is enough: every subresource is same-origin. Same-origin iframes (the
  // /embed/ pages) get the same header from this worker, so framing them keeps working.
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The same response with the isolation headers added (opaque and error responses are left alone). */
export function withIsolationHeaders(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export interface FetchContext {
  caches: CacheStorage;
  fetch: typeof fetch;
  scope: string;
  manifest: BuildManifest;
}

/** The key a request is cached and matched under: navigations ignore the query (demo settings live there). */
function cacheKey(request: Request): string {
  if (request.mode !== 'navigate') return request.url;
  const u = new URL(request.url);
  u.search = '';
  u.hash = '';
  return u.href;
}

/** Whether the worker answers this request at all (else the browser fetches it untouched). */
export function handles(request: Request, scope: string): boolean {
  return request.method === 'GET' && request.url.startsWith(scope) && !request.headers.has('range');
}

export async function respond(request: Request, ctx: FetchContext): Promise<Response> {
  const name = cacheName(ctx.scope, ctx.manifest.version);
  const cache = await ctx.caches.open(name);
  const key = cacheKey(request);
  const cached = await cache.match(key);
  if (cached) return withIsolationHeaders(cached);
  try {
    const response = await ctx.fetch(request);
    // Not precached (e.g. the search index, written after the manifest): keep a copy for offline use.
    // (Only same-origin requests in scope reach here, so an ok response is never opaque.)
    if (response.ok) await cache.put(key, response.clone());
    return withIsolationHeaders(response);
  } catch (e) {
    // Offline and not cached: a navigation to a page never seen; say so in words.
    if (request.mode === 'navigate') {
      return withIsolationHeaders(
        new Response('<!doctype html><meta charset="utf-8"><title>Offline</title><p>You are offline and this page was not saved for offline use.</p>', {
          status: 503,
          headers: { 'Content-Type': 'text/html; charset=utf-8' },
        }),
      );
    }
    throw e;
  }
}
