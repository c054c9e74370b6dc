/// <reference lib="webworker" />
/**
 * The site's service worker, bundled into dist/sw.js at build time with the build manifest
 * (src/lib/service-worker-integration.ts). Policy and the reasons for it: ./cache-policy.ts.
 * Messages from the page (./register.ts), each with a MessagePort for the answer:
 * - `{ type: 'status' }` → OfflineStatus;
 * - `{ type: 'save', ort }` → SaveProgress messages, then `{ type: 'done' }` or `{ type: 'error', message }`;
 * - `{ type: 'keep', urls }` → `{ type: 'kept', count }` (what the page loaded before the worker).
 */
import { deleteOtherVersions, handles, install, keep, offlineStatus, respond, saveAll, ORT_BUILDS, type BuildManifest, type OrtBuild } from './cache-policy';

declare const self: ServiceWorkerGlobalScope;
/** Replaced by the build with the manifest literal. */
declare const SW_MANIFEST: BuildManifest;

const manifest = SW_MANIFEST;
const scope = self.registration.scope;
const net = (r: Request) => fetch(r);

self.addEventListener('install', (event) => {
  // Nothing is fetched unless the reader saved an earlier version for offline use; then the new
  // one is saved in full first, so the site stays available offline across the update.
  event.waitUntil(install(caches, scope, manifest, net).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteOtherVersions(caches, scope, manifest.version).then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  if (!handles(event.request, scope)) return;
  event.respondWith(respond(event.request, { caches, fetch: net, scope, manifest }));
});

/** One save at a time; a second page asking joins the first. */
let saving: Promise<void> | null = null;
const listeners = new Set<MessagePort>();

self.addEventListener('message', (event) => {
  const data = event.data as { type?: string; ort?: string; urls?: unknown } | null;
  const port = event.ports[0];
  if (!port) return;
  if (data?.type === 'status') {
    event.waitUntil(offlineStatus(caches, scope, manifest).then((s) => port.postMessage(s)));
  } else if (data?.type === 'keep' && Array.isArray(data.urls)) {
    const urls = data.urls.filter((u): u is string => typeof u === 'string');
    event.waitUntil(keep(caches, scope, manifest, urls, net).then((count) => port.postMessage({ type: 'kept', count })));
  } else if (data?.type === 'save' && ORT_BUILDS.includes(data.ort as OrtBuild)) {
    listeners.add(port);
    saving ??= saveAll(caches, scope, manifest, data.ort as OrtBuild, net, (p) => {
      for (const l of listeners) l.postMessage({ type: 'progress', ...p });
    }).then(
      () => {
        for (const l of listeners) l.postMessage({ type: 'done' });
      },
      (e: unknown) => {
        for (const l of listeners) l.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      },
    ).finally(() => {
      listeners.clear();
      saving = null;
    });
    event.waitUntil(saving);
  }
});
