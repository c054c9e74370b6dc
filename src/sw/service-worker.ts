/// <reference lib="webworker" />
/**
 * The site's service worker, bundled into dist/sw.js at build time with the build manifest
 * (src/lib/service-worker-integration.ts). Policy and the reasons for it: ./cache-policy.ts.
 * Messages from the page (./register.ts): `{ type: 'status' }` on a MessagePort → OfflineStatus.
 */
import { deleteOtherVersions, handles, offlineStatus, precache, respond, type BuildManifest } from './cache-policy';

declare const self: ServiceWorkerGlobalScope;
/** Replaced by the build with the manifest literal. */
declare const SW_MANIFEST: BuildManifest;

const manifest = SW_MANIFEST;
const scope = self.registration.scope;

self.addEventListener('install', (event) => {
  // A new build takes over as soon as its cache is complete: its pages and assets are all in
  // it, so an old page still open keeps working (its files come from the network while online).
  event.waitUntil(precache(caches, scope, manifest).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteOtherVersions(caches, scope, manifest.version).then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  if (!handles(event.request, scope)) return;
  event.respondWith(respond(event.request, { caches, fetch: (r) => fetch(r), scope, manifest }));
});

self.addEventListener('message', (event) => {
  const data = event.data as { type?: string } | null;
  const port = event.ports[0];
  if (data?.type !== 'status' || !port) return;
  event.waitUntil(offlineStatus(caches, scope, manifest).then((s) => port.postMessage(s)));
});
