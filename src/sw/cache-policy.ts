/**
 * What the service worker does, as functions of the things it is given (CacheStorage, fetch,
 * the build manifest), so Node unit tests can drive it without a browser.
 * src/sw/service-worker.ts only wires these to the worker's events.
 *
 * Offline use is the reader's choice: nothing is downloaded for it unasked.
 * - fetch: what the reader uses is kept as it is fetched (pages read, their assets, the one
 *   onnxruntime-web build this browser runs, chapter 8's model once loaded) and served from the
 *   cache afterwards; everything else in scope comes from the network untouched. Every response
 *   gets the cross-origin isolation headers, which is what lets WASM use threads on hosts that
 *   cannot send headers themselves.
 * - save (the page's "Save for offline" button): every file of the build goes into the cache,
 *   except the onnxruntime-web build this browser does not run (14 MB or 27 MB it would never
 *   read); a marker entry records that the reader asked, and for which build.
 * - install: a new build caches nothing, unless the reader had saved the site for offline use:
 *   then the new version is saved in full before it takes over (the reader asked for offline
 *   use, and the old copy is about to be deleted).
 * - activate: caches of other versions of this site (same scope) are deleted.
 */

/** The two onnxruntime-web builds the site ships: WASM only, or WebGPU (JSEP/asyncify) + WASM. */
export type OrtBuild = 'wasm' | 'webgpu';
export const ORT_BUILDS: readonly OrtBuild[] = ['wasm', 'webgpu'];

export interface ManifestFile {
  /** URL relative to the worker's scope (the site's base): '', 'chapters/low-rank/', '_astro/x.js'. */
  url: string;
  /** Size in bytes as built (what "Save for offline" announces). */
  bytes: number;
  /** Set on files that belong to one onnxruntime-web build only (its .wasm and its loader). */
  ort?: OrtBuild;
}

/** Written by the build (src/lib/service-worker-integration.ts) into dist/sw.js. */
export interface BuildManifest {
  /** Hash of every built file's path and bytes: a new build with any change gets a new one. */
  version: string;
  files: ManifestFile[];
}

export const CACHE_PREFIX = 'lora-live';

/**
 * The cache entry that records "the reader saved the whole site, for this onnxruntime build".
 * A name no built file can have (the build never writes next to sw.js with this suffix).
 */
export const SAVED_MARKER = 'sw.js.saved';

/** Which onnxruntime-web build a built file belongs to, from its name (undefined: every browser's). */
export function ortBuildOf(path: string): OrtBuild | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (!/^ort[.-]/.test(name)) return undefined;
  // ort-wasm-simd-threaded.asyncify.<hash>.wasm (1.2x+: asyncify; older: .jsep.) and ort.webgpu.*.js
  if (/\.(asyncify|jsep|jspi)\./.test(name) || /^ort\.webgpu\./.test(name)) return 'webgpu';
  if (/\.wasm$/.test(name) || /^ort-wasm[^/]*\.m?js$/.test(name) || /^ort\.wasm\./.test(name)) return 'wasm';
  return undefined;
}

/** One cache per site (scope) and version; two builds under different base paths keep their own. */
export function cacheName(scope: string, version: string): string {
  return `${CACHE_PREFIX} ${new URL(scope).pathname} ${version}`;
}

function ownedByScope(name: string, scope: string): boolean {
  return name.startsWith(`${CACHE_PREFIX} ${new URL(scope).pathname} `);
}

/** The files "Save for offline" stores for a browser that runs `ort`. */
export function filesToSave(manifest: BuildManifest, ort: OrtBuild): ManifestFile[] {
  return manifest.files.filter((f) => !f.ort || f.ort === ort);
}

export interface SaveSize {
  files: number;
  bytes: number;
}

/** What saving costs, per onnxruntime build (computed from the build's own byte counts). */
export function saveSizes(manifest: BuildManifest): Record<OrtBuild, SaveSize> {
  const size = (ort: OrtBuild): SaveSize => {
    const files = filesToSave(manifest, ort);
    return { files: files.length, bytes: files.reduce((s, f) => s + f.bytes, 0) };
  };
  return { wasm: size('wasm'), webgpu: size('webgpu') };
}

export interface SaveProgress {
  /** Files of the save present in the cache so far (including those already kept before). */
  done: number;
  total: number;
  /** The same in bytes, as the manifest counts them. */
  doneBytes: number;
  totalBytes: number;
}

/**
 * Save the whole site for offline use: every file for a browser that runs `ort`, skipping those
 * already kept. Rejects (and writes no marker) if a file cannot be fetched; what was stored so
 * far stays, so pressing the button again continues where it stopped.
 */
export async function saveAll(
  caches: CacheStorage,
  scope: string,
  manifest: BuildManifest,
  ort: OrtBuild,
  fetchFn: (r: Request) => Promise<Response>,
  onProgress: (p: SaveProgress) => void = () => undefined,
  parallel = 4,
): Promise<void> {
  const cache = await caches.open(cacheName(scope, manifest.version));
  const files = filesToSave(manifest, ort);
  const p: SaveProgress = { done: 0, total: files.length, doneBytes: 0, totalBytes: files.reduce((s, f) => s + f.bytes, 0) };
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const url = new URL(f.url, scope).href;
      if (!(await cache.match(url))) {
        // 'no-cache' revalidates with the server: pages are not content-hashed and must be this build's.
        const res = await fetchFn(new Request(url, { cache: 'no-cache' }));
        if (!res.ok) throw new Error(`${f.url || '/'}: HTTP ${res.status}`);
        await cache.put(url, res);
      }
      p.done += 1;
      p.doneBytes += f.bytes;
      onProgress({ ...p });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  await cache.put(new URL(SAVED_MARKER, scope).href, new Response(JSON.stringify({ ort }), { headers: { 'Content-Type': 'application/json' } }));
}

/** The onnxruntime build the reader saved the site for, in the cache of `version` (null: never saved). */
export async function savedFor(caches: CacheStorage, scope: string, version: string): Promise<OrtBuild | null> {
  const cache = await caches.open(cacheName(scope, version));
  const marker = await cache.match(new URL(SAVED_MARKER, scope).href);
  if (!marker) return null;
  const { ort } = (await marker.json()) as { ort?: string };
  return ORT_BUILDS.includes(ort as OrtBuild) ? (ort as OrtBuild) : null;
}

/**
 * The build a new worker installs: if the reader saved another version of this site for offline
 * use, save this one too (for the same onnxruntime build) before it replaces the old; otherwise
 * nothing is fetched.
 */
export async function install(caches: CacheStorage, scope: string, manifest: BuildManifest, fetchFn: (r: Request) => Promise<Response>): Promise<void> {
  const mine = cacheName(scope, manifest.version);
  for (const name of await caches.keys()) {
    if (!ownedByScope(name, scope) || name === mine) continue;
    const ort = await savedFor(caches, scope, name.slice(name.lastIndexOf(' ') + 1));
    if (ort) return saveAll(caches, scope, manifest, ort, fetchFn);
  }
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
  /** What "Save for offline" would store, per onnxruntime build. */
  size: Record<OrtBuild, SaveSize>;
  /** The build the reader saved the site for, or null if they never asked. */
  saved: OrtBuild | null;
  /** Files of the saved set missing from the cache (browsers may evict storage); 0 when not saved. */
  missing: number;
  /** The onnxruntime builds whose .wasm this cache holds: those this browser has run. */
  used: OrtBuild[];
}

export async function offlineStatus(caches: CacheStorage, scope: string, manifest: BuildManifest): Promise<OfflineStatus> {
  const cache = await caches.open(cacheName(scope, manifest.version));
  const has = async (f: ManifestFile) => !!(await cache.match(new URL(f.url, scope).href));
  const saved = await savedFor(caches, scope, manifest.version);
  const present = saved ? await Promise.all(filesToSave(manifest, saved).map(has)) : [];
  const used: OrtBuild[] = [];
  for (const ort of ORT_BUILDS) {
    const wasm = manifest.files.filter((f) => f.ort === ort && f.url.endsWith('.wasm'));
    if (wasm.length && (await Promise.all(wasm.map(has))).some(Boolean)) used.push(ort);
  }
  return { version: manifest.version, size: saveSizes(manifest), saved, missing: present.filter((x) => !x).length, used };
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
  fetch: (r: Request) => Promise<Response>;
  scope: string;
  manifest: BuildManifest;
}

/** The key a request is cached and matched under: navigations ignore the query (demo settings live there). */
export function cacheKey(request: Request): string {
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

/**
 * The header on the worker's answer to a file that is neither cached nor reachable: the page's
 * code can tell "offline and not saved" from a server error (demos/experiments/language-model.ts
 * says so in words for chapter 8's model and texts).
 */
export const OFFLINE_HEADER = 'X-Offline';
export const OFFLINE_NOT_SAVED = 'not-saved';

export async function respond(request: Request, ctx: FetchContext): Promise<Response> {
  const name = cacheName(ctx.scope, ctx.manifest.version);
  const cache = await ctx.caches.open(name);
  const key = cacheKey(request);
  const cached = await cache.match(key);
  if (cached) return withIsolationHeaders(cached);
  try {
    const response = await ctx.fetch(request);
    // Used by the reader: keep a copy for offline use. (Only same-origin requests in scope reach
    // here, so an ok response is never opaque.)
    if (response.ok) await cache.put(key, response.clone());
    return withIsolationHeaders(response);
  } catch (e) {
    if (request.signal?.aborted) throw e;
    // Offline and not cached: say so, as a page for a navigation, as a 503 with OFFLINE_HEADER
    // for a file (a thrown fetch would only say "Failed to fetch").
    const page = request.mode === 'navigate';
    return withIsolationHeaders(
      new Response(
        page
          ? '<!doctype html><meta charset="utf-8"><title>Offline</title><p>You are offline and this page was not saved for offline use.</p>'
          : `You are offline and ${new URL(request.url).pathname} was not saved for offline use.`,
        {
          status: 503,
          statusText: 'Offline, not saved',
          headers: { 'Content-Type': page ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', [OFFLINE_HEADER]: OFFLINE_NOT_SAVED },
        },
      ),
    );
  }
}

/**
 * Keep what a page already loaded before this worker controlled it (the page itself, its CSS
 * and scripts): the URLs come from the page (register.ts), only those in scope and not yet kept
 * are fetched, and a failure is skipped (the file is kept the next time it is fetched).
 */
export async function keep(caches: CacheStorage, scope: string, manifest: BuildManifest, urls: string[], fetchFn: (r: Request) => Promise<Response>): Promise<number> {
  const cache = await caches.open(cacheName(scope, manifest.version));
  let kept = 0;
  for (const raw of new Set(urls)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    if (!url.href.startsWith(scope) || url.pathname.endsWith(`/${SAVED_MARKER}`)) continue;
    url.hash = '';
    if (await cache.match(url.href)) continue;
    try {
      const res = await fetchFn(new Request(url.href));
      if (res.ok) {
        await cache.put(url.href, res);
        kept += 1;
      }
    } catch {
      /* offline or gone: kept the next time the page fetches it */
    }
  }
  return kept;
}
