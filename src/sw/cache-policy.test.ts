/**
 * The service worker's policy in Node, against an in-memory CacheStorage: nothing is fetched
 * unasked (install and the first visit store nothing but what was used); "Save for offline"
 * stores every file but the other onnxruntime build and says so; a new version of a saved site
 * is saved before it takes over, and activating it deletes the other versions of this site
 * (only); the fetch handler serves the cache with the isolation headers, keeps what it fetched,
 * and answers "offline, not saved" distinguishably; the build manifest's sizes and version
 * follow the bytes of the build.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OFFLINE_HEADER,
  cacheName,
  deleteOtherVersions,
  install,
  keep,
  offlineStatus,
  ortBuildOf,
  respond,
  saveAll,
  type BuildManifest,
  type SaveProgress,
} from './cache-policy';
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
const manifestOf = (version: string): BuildManifest => ({
  version,
  files: [
    { url: '', bytes: 100 },
    { url: 'chapters/low-rank/', bytes: 200 },
    { url: '_astro/ort-wasm-simd-threaded.x.wasm', bytes: 14_000, ort: 'wasm' },
    { url: '_astro/ort-wasm-simd-threaded.asyncify.y.wasm', bytes: 27_000, ort: 'webgpu' },
    { url: 'models/tiny/model.safetensors', bytes: 3_000 },
  ],
});

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
const urls = (c: MemoryCache) => [...c.entries.keys()].map((u) => u.slice(scope.length)).sort();

describe('service worker cache policy', () => {
  it('installing stores nothing; "Save for offline" stores every file but the other onnxruntime build, and says so', async () => {
    const v1 = site('build-1');
    const caches = new MemoryCaches(v1.fetchFn);
    const m1 = manifestOf('aaaa');
    await install(asCaches(caches), scope, m1, v1.fetchFn);
    expect(v1.requested).toEqual([]);
    const before = await offlineStatus(asCaches(caches), scope, m1);
    expect(before).toEqual({
      version: 'aaaa',
      size: { wasm: { files: 4, bytes: 17_300 }, webgpu: { files: 4, bytes: 30_300 } },
      saved: null,
      missing: 0,
      used: [],
    });

    const progress: SaveProgress[] = [];
    await saveAll(asCaches(caches), scope, m1, 'wasm', v1.fetchFn, (p) => progress.push(p), 2);
    const cache = await caches.open(cacheName(scope, 'aaaa'));
    expect(urls(cache)).toEqual(['', '_astro/ort-wasm-simd-threaded.x.wasm', 'chapters/low-rank/', 'models/tiny/model.safetensors', 'sw.js.saved']);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4, doneBytes: 17_300, totalBytes: 17_300 });
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(await offlineStatus(asCaches(caches), scope, m1)).toMatchObject({ saved: 'wasm', missing: 0, used: ['wasm'] });

    // Evicted by the browser: the status says what is missing.
    cache.entries.delete(`${scope}chapters/low-rank/`);
    expect(await offlineStatus(asCaches(caches), scope, m1)).toMatchObject({ saved: 'wasm', missing: 1 });
  });

  it('a new version of a saved site is saved (same build) before it takes over; activating it deletes the old one only', async () => {
    const v1 = site('build-1');
    const caches = new MemoryCaches(v1.fetchFn);
    await saveAll(asCaches(caches), scope, manifestOf('aaaa'), 'webgpu', v1.fetchFn);
    // Another site on the same origin (another base path) and a foreign cache must survive.
    await caches.open(cacheName('https://example.org/other/', 'zzzz'));
    await caches.open('someone-else');

    const v2 = site('build-2');
    const m2 = manifestOf('bbbb');
    await install(asCaches(caches), scope, m2, v2.fetchFn);
    expect(v2.requested.map((u) => u.slice(scope.length)).sort()).toEqual(['', '_astro/ort-wasm-simd-threaded.asyncify.y.wasm', 'chapters/low-rank/', 'models/tiny/model.safetensors']);
    expect(await offlineStatus(asCaches(caches), scope, m2)).toMatchObject({ saved: 'webgpu', missing: 0, used: ['webgpu'] });
    const deleted = await deleteOtherVersions(asCaches(caches), scope, 'bbbb');
    expect(deleted).toEqual([cacheName(scope, 'aaaa')]);
    expect((await caches.keys()).sort()).toEqual([cacheName('https://example.org/other/', 'zzzz'), cacheName(scope, 'bbbb'), 'someone-else'].sort());
    expect(await (await respond(new Request(scope), { caches: asCaches(caches), fetch: v2.fetchFn as typeof fetch, scope, manifest: m2 })).text()).toBe('build-2 /lora-live/');
  });

  it('a save with a file that cannot be fetched fails, writes no marker, and keeps what it stored', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const m = manifestOf('cccc');
    m.files.push({ url: 'missing', bytes: 1 });
    await expect(saveAll(asCaches(caches), scope, m, 'wasm', v.fetchFn)).rejects.toThrow(/missing: HTTP 404/);
    expect((await offlineStatus(asCaches(caches), scope, m)).saved).toBeNull();
    // Again, with the file back: only what is not stored yet is fetched.
    m.files.pop();
    v.requested.length = 0;
    await saveAll(asCaches(caches), scope, m, 'wasm', v.fetchFn);
    expect(v.requested.length).toBeLessThan(4);
    expect((await offlineStatus(asCaches(caches), scope, m)).saved).toBe('wasm');
  });

  it('serves saved pages without the network, query ignored for navigations, with COOP/COEP', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const manifest = manifestOf('aaaa');
    await saveAll(asCaches(caches), scope, manifest, 'wasm', v.fetchFn);
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

    // Offline and never stored: a page says so; a file gets a 503 the page's code can tell apart.
    const unknown = new Request(`${scope}chapters/unknown/`);
    Object.defineProperty(unknown, 'mode', { value: 'navigate' });
    const offline = await respond(unknown, ctx);
    expect(offline.status).toBe(503);
    expect(await offline.text()).toMatch(/offline/);
    const file = await respond(new Request(`${scope}_astro/ort-wasm-simd-threaded.asyncify.y.wasm`), ctx);
    expect(file.status).toBe(503);
    expect(file.headers.get(OFFLINE_HEADER)).toBe('not-saved');
    expect(file.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });

  it('keeps what the reader used (fetched through it, or loaded before it was in control) for later offline use', async () => {
    const v = site('build-1');
    const caches = new MemoryCaches(v.fetchFn);
    const manifest = manifestOf('aaaa');
    const ctx = { caches: asCaches(caches), fetch: v.fetchFn as typeof fetch, scope, manifest };
    const online = await respond(new Request(`${scope}models/tiny/model.safetensors`), ctx);
    expect(online.headers.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
    expect(await keep(asCaches(caches), scope, manifest, [scope, `${scope}_astro/page.css#x`, 'https://elsewhere.org/x.js', 'not a url'], v.fetchFn)).toBe(2);
    expect(await (await caches.open(cacheName(scope, 'aaaa'))).entries.size).toBe(3);
    v.online.value = false;
    expect(await (await respond(new Request(`${scope}models/tiny/model.safetensors`), ctx)).text()).toBe('build-1 /lora-live/models/tiny/model.safetensors');
    expect(await (await respond(new Request(`${scope}_astro/page.css`), ctx)).text()).toBe('build-1 /lora-live/_astro/page.css');
    expect(await offlineStatus(asCaches(caches), scope, manifest)).toMatchObject({ saved: null, used: [] });
  });

  it('tells the files of each onnxruntime-web build apart by name', () => {
    expect(ortBuildOf('_astro/ort-wasm-simd-threaded.DcHrbrbl.wasm')).toBe('wasm');
    expect(ortBuildOf('_astro/ort.wasm.bundle.min.Be1vQpN5.js')).toBe('wasm');
    expect(ortBuildOf('_astro/ort-wasm-simd-threaded.asyncify.D5D0fo7z.wasm')).toBe('webgpu');
    expect(ortBuildOf('_astro/ort-wasm-simd-threaded.jsep.abc.wasm')).toBe('webgpu');
    expect(ortBuildOf('_astro/ort.webgpu.bundle.min.Cfgkn_Jc.js')).toBe('webgpu');
    expect(ortBuildOf('_astro/engine.worker-Db3QpPcy.js')).toBeUndefined();
    expect(ortBuildOf('chapters/sort/index.html')).toBeUndefined();
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

    await writeFile(join(dir, '_astro/ort-wasm-simd-threaded.x.wasm'), 'wasm!');
    const a = await buildManifest(dir);
    expect(a.files).toEqual([
      { url: '_astro/KaTeX_Main.x.woff2', bytes: 4 },
      { url: '_astro/ort-wasm-simd-threaded.x.wasm', bytes: 5, ort: 'wasm' },
      { url: 'chapters/low-rank/', bytes: 7 },
      { url: '', bytes: 4 },
      { url: 'models/tiny/model.onnx', bytes: 7 },
      { url: 'models/tiny/model.safetensors', bytes: 11 },
    ]);
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    expect((await buildManifest(dir)).version).toBe(a.version);
    // sw.js itself is not part of the version (it is written from it).
    await writeFile(join(dir, 'sw.js'), 'new worker');
    expect((await buildManifest(dir)).version).toBe(a.version);
    await writeFile(join(dir, 'models/tiny/model.onnx'), 'weights, retrained');
    expect((await buildManifest(dir)).version).not.toBe(a.version);
    // Chapter 8's weights version the cache too.
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
