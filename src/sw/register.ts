/**
 * The page's side of the service worker (./service-worker.ts): register it, say in the page
 * when the site is available offline, and reload once when the worker first takes control of a
 * page that is not cross-origin isolated, so the reloaded page gets the worker's COOP/COEP
 * headers and WASM can use threads (the approach of coi-serviceworker).
 *
 * Nothing is shown where service workers are unsupported or registration fails.
 */
import type { OfflineStatus } from './cache-policy';

/** Set for the tab's session before the one reload, so a browser that ignores the headers cannot loop. */
const RELOADED_KEY = 'lora-live:isolation-reload';

export function registerServiceWorker(base: string, statusEl: HTMLElement | null): void {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  const show = (state: 'saving' | 'ready', text: string) => {
    if (!statusEl) return;
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    statusEl.hidden = false;
  };

  const askStatus = (worker: ServiceWorker) =>
    new Promise<OfflineStatus>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (e: MessageEvent<OfflineStatus>) => resolve(e.data);
      worker.postMessage({ type: 'status' }, [channel.port2]);
    });
  const refresh = async () => {
    const reg = await sw.ready;
    if (!reg.active) return;
    const s = await askStatus(reg.active);
    if (s.missing === 0) show('ready', 'Available offline');
  };

  const wasControlled = !!sw.controller;
  sw.addEventListener('controllerchange', () => {
    if (!wasControlled && maybeReloadForIsolation()) return;
    void refresh();
  });

  // After the page's own loads, so precaching does not compete with the first demo's wasm.
  const start = () => {
    sw.register(`${base}sw.js`, { scope: base }).then(
      (reg: ServiceWorkerRegistration | undefined) => {
        // Some hosts (and test browsers that block workers) resolve without a registration.
        if (!reg) return;
        if (reg.installing && !reg.active) show('saving', 'Saving this site for offline use…');
        void refresh();
      },
      () => undefined, // no worker: the site works online as before, and says nothing
    );
  };
  if (document.readyState === 'complete') start();
  else window.addEventListener('load', start, { once: true });
}

/** Reload once to become cross-origin isolated; false when it is not needed or not safe. */
function maybeReloadForIsolation(): boolean {
  if (globalThis.crossOriginIsolated || window.top !== window) return false; // a framed page cannot fix it by reloading
  // A reload would throw away a run in progress: the next page load is isolated anyway.
  if (document.querySelector('[data-running="true"]')) return false;
  try {
    if (sessionStorage.getItem(RELOADED_KEY)) return false;
    sessionStorage.setItem(RELOADED_KEY, '1');
  } catch {
    return false;
  }
  location.reload();
  return true;
}
