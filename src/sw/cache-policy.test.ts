/**
 * The service worker's policy in Node, against an in-memory CacheStorage: install fills one
 * cache per version, activate deletes the other versions of this site (and only of this site),
 * the fetch handler serves the cache with the isolation headers and falls back to the network,
 * and the build manifest's version follows the bytes of the build.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheName, deleteOtherVersions, offlineStatus, precache, respond, type BuildManifest } from './cache-policy';
import { buildManifest, devServiceWorker, urlOfFile } from '../lib/service-worker-integration';

/** Just enough of Cache / CacheStorage for the policy: keyed by URL, ignoring the query when asked. */
class MemoryCache {
  readonly entries = new Map<string, Response>();
  constructor(private readonly fetchFn: (r: Request) => Promise<Response>) {}
  async match(key: RequestInfo | URL): Promise<Response | undefined> {
    const url = typeof key === 'string' ? key : key instanceof URL ? key.href : key.url;
    return this.entries.get(url)?.clone();
  }
  async put(key: RequestInfo | URL, response: Response): Promise<void> {
    this.entries.set(typeof key === 'string' ? key : key instanceof URL ? key.href : key.url, response);
  }
  async addAll(requests: Request[]): Promise<void> {
    // All or nothing, like the real one.
    const responses = await Promise.all(requests.map(async (r) => [r.url, await this.fetchFn(r)] as const));
    for (const [url, res] of responses) if (!res.ok) throw new TypeError(`${url}: ${res.status}`);
    for (const [url, res] of responses) this.entries.set(url, res);
  }
}
class MemoryCaches {
  readonly caches = new Map<string, MemoryCache>();
  constructor(readonly fetchFn: (r: Request) => Promise<Response>) {}
  async open(name: string): Promise<MemoryCache> {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new MemoryCache(this.fetchFn)));
    return c;
  }
  async keys(): Promise<string[]> {
    return [...this.caches.keys()];
  }
  async delete(name: string): Promise<boolean> {
    return this.caches.delete(name);
  }
}

const scope = 'https://example.org/lora-live/';
const files = ['', 'chapters/low-rank/', '_astro/ort-wasm-simd-threaded.x.wasm', 'models/tiny/model.onnx'];

/** A site whose every file answers with its path and the build it belongs to. */
function site(build: string, online = { value: true }) {
  const requested: string[] = [];
  const fetchFn = async (r: Request) => {
    requested.push(r.url);
    if (!online.value) throw new TypeError('Failed to fetch');
    const path = new URL(r.url).pathname;
    if (path.endsWith('/missing')) return new Response('no', { status: 404 });
    return new Response(`${build} ${path}`, { status: 200, headers: { 'Content-Type': 'text/plain' } });
  };
  return { fetchFn, requested, online };
}

const asCaches = (c: MemoryCaches) => c as unknown as CacheStorage;

describe('service worker cache policy', () => {
  it('a new version gets its own complete cache, and activating it deletes the old one only', async () => {
    const v1 = site('build-1');
    const caches = new MemoryCaches(v1.fetchFn);
    const m1: BuildManifest = { version: 'aaaa', files };
    await precache(asCaches(caches), scope, m1);
    expect(await offlineStatus(asCaches(caches), scope, m1)).toEqual({ version: 'aaaa', missing: 0, total: files.length });
    // Another site on the same origin (another base path) and a foreign cache must survive.
    await caches.open(cacheName('https://example.org/other/', 'zzzz'));
    await caches.open('someone-else');

    const m2: BuildManifest = { version: 'bbbb', files };
    await precache(asCaches(caches), scope, m2);
    expect(await caches.keys()).toContain(cacheName(scope, 'aaaa'));
    const deleted = await deleteOtherVersions(asCaches(caches), scope, 'bbbb');
    expect(deleted).toEqual([cacheName(scope, 'aaaa')]);
    expect((await caches.keys()).sort()).toEqual([cacheName('https://example.org/other/', 'zzzz'), cacheName(scope, 'bbbb'), 'someone-else'].sort());
  });

  it('an install with a file that cannot be fetched fails and leaves the status incomplete', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const m: BuildManifest = { version: 'cccc', files: [...files, 'missing'] };
    await expect(precache(asCaches(caches), scope, m)).rejects.toThrow(/404/);
    expect((await offlineStatus(asCaches(caches), scope, m)).missing).toBe(files.length + 1);
  });

  it('serves precached pages without the network, query ignored for navigations, with COOP/COEP', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const manifest: BuildManifest = { version: 'aaaa', files };
    await precache(asCaches(caches), scope, manifest);
    v.online.value = false;
    const ctx = { caches: asCaches(caches), fetch: v.fetchFn as typeof fetch, scope, manifest };

    const nav = new Request(`${scope}chapters/low-rank/?lowrank.size=16`);
    // Node's Request cannot be constructed with mode 'navigate'; mark it as the browser would.
    Object.defineProperty(nav, 'mode', { value: 'navigate' });
    const page = await respond(nav, ctx);
    expect(await page.text()).toBe('build-1 /lora-live/chapters/low-rank/');
    expect(page.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    expect(page.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(page.headers.get('Content-Type')).toBe('text/plain');

    const wasm = await respond(new Request(`${scope}_astro/ort-wasm-simd-threaded.x.wasm`), ctx);
    expect(await wasm.text()).toBe('build-1 /lora-live/_astro/ort-wasm-simd-threaded.x.wasm');

    // Offline and never cached: a page says so; an asset fails as a network error would.
    const unknown = new Request(`${scope}chapters/unknown/`);
    Object.defineProperty(unknown, 'mode', { value: 'navigate' });
    const offline = await respond(unknown, ctx);
    expect(offline.status).toBe(503);
    expect(await offline.text()).toMatch(/offline/);
    await expect(respond(new Request(`${scope}pagefind/pagefind.js`), ctx)).rejects.toThrow(/fetch/);
  });

  it('keeps a copy of what was not precached (the search index) for later offline use', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const manifest: BuildManifest = { version: 'aaaa', files: [] };
    const ctx = { caches: asCaches(caches), fetch: v.fetchFn as typeof fetch, scope, manifest };
    const online = await respond(new Request(`${scope}pagefind/pagefind.js`), ctx);
    expect(online.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    v.online.value = false;
    expect(await (await respond(new Request(`${scope}pagefind/pagefind.js`), ctx)).text()).toBe('build-1 /lora-live/pagefind/pagefind.js');
  });
});

describe('build manifest', () => {
  it('lists every built file by the URL it is served at, and its version follows the bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sw-manifest-'));
    await mkdir(join(dir, 'chapters/low-rank'), { recursive: true });
    await mkdir(join(dir, 'models/tiny'), { recursive: true });
    await mkdir(join(dir, '_astro'), { recursive: true });
    await writeFile(join(dir, 'index.html'), 'home');
    await writeFile(join(dir, 'chapters/low-rank/index.html'), 'chapter');
    await writeFile(join(dir, 'models/tiny/model.onnx'), 'weights');
    await writeFile(join(dir, '_astro/KaTeX_Main.x.woff2'), 'font');
    await writeFile(join(dir, '_astro/KaTeX_Main.x.ttf'), 'font');
    await writeFile(join(dir, 'sw.js'), 'old worker');
    await writeFile(join(dir, 'models/tiny/model.safetensors'), 'big weights');

    const a = await buildManifest(dir);
    expect(a.files).toEqual(['_astro/KaTeX_Main.x.woff2', 'chapters/low-rank/', '', 'models/tiny/model.onnx']);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect((await buildManifest(dir)).version).toBe(a.version);
    // sw.js itself is not part of the version (it is written from it).
    await writeFile(join(dir, 'sw.js'), 'new worker');
    expect((await buildManifest(dir)).version).toBe(a.version);
    await writeFile(join(dir, 'models/tiny/model.onnx'), 'weights, retrained');
    expect((await buildManifest(dir)).version).not.toBe(a.version);
    // Weights fetched on demand (not precached) still version the cache.
    const b = await buildManifest(dir);
    await writeFile(join(dir, 'models/tiny/model.safetensors'), 'big weights, retrained');
    expect((await buildManifest(dir)).version).not.toBe(b.version);
  });

  it('maps index.html files to their directory URL', () => {
    expect(urlOfFile('index.html')).toBe('');
    expect(urlOfFile('chapters/x/index.html')).toBe('chapters/x/');
    expect(urlOfFile('404.html')).toBe('404.html');
    expect(urlOfFile('models/a b.onnx')).toBe('models/a%20b.onnx');
  });
});

describe('the worker astro dev serves', () => {
  it("is a script that deletes only this site's caches", () => {
    const code = devServiceWorker('/lora-live/');
    expect(() => new Function(code)).not.toThrow();
    expect(code).toContain(JSON.stringify(`${cacheName('https://example.org/lora-live/', 'x').slice(0, -1)}`));
    expect(code).toContain('unregister()');
  });
});
