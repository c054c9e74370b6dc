/**
 * The page's side of the service worker (./service-worker.ts): register it, hand it what the
 * page loaded before it was in control (so a page read is a page kept), offer "Save for
 * offline" with the size the build computed, follow the save and say when it is done; and
 * reload once when the worker first takes control of a page that is not cross-origin isolated,
 * so the reloaded page gets the worker's COOP/COEP headers and WASM can use threads (the
 * approach of coi-serviceworker).
 *
 * Nothing is shown where service workers are unsupported or registration fails.
 */
import type { OfflineStatus, OrtBuild, SaveProgress } from './cache-policy';

/** Set for the tab's session before the one reload, so a browser that ignores the headers cannot loop. */
const RELOADED_KEY = 'lora-live:isolation-reload';

/** The elements of src/components/OfflineStatus.astro; null where the page offers nothing (embeds). */
export interface OfflineUi {
  root: HTMLElement;
  text: HTMLElement;
  button: HTMLButtonElement;
  progress: HTMLProgressElement;
}

type SaveMessage = ({ type: 'progress' } & SaveProgress) | { type: 'done' } | { type: 'error'; message: string };

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The onnxruntime-web build this browser runs: the one it has already run here (its .wasm is in
 * the worker's cache), else the one Auto would load: WebGPU's with a hardware adapter, WASM's
 * otherwise (demos/runtime.ts, chooseRuntime).
 */
async function ortBuildHere(s: OfflineStatus): Promise<OrtBuild> {
  if (s.used.length === 1) return s.used[0]!;
  type Adapter = { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } }).gpu;
  try {
    const a = gpu ? await gpu.requestAdapter() : null;
    return a && !(a.info?.isFallbackAdapter ?? a.isFallbackAdapter) ? 'webgpu' : 'wasm';
  } catch {
    return 'wasm';
  }
}

export function registerServiceWorker(base: string, ui: OfflineUi | null): void {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;

  /** One message to the active worker on its own channel; `each` sees every answer until it returns true. */
  const ask = async <T>(message: object, each: (data: T) => boolean = () => true): Promise<void> => {
    const reg = await sw.ready;
    if (!reg.active) return;
    const channel = new MessageChannel();
    await new Promise<void>((resolve) => {
      channel.port1.onmessage = (e: MessageEvent<T>) => {
        if (each(e.data)) resolve();
      };
      reg.active!.postMessage(message, [channel.port2]);
    });
    channel.port1.close();
  };

  const show = (state: string, text: string, button?: string) => {
    if (!ui) return;
    ui.root.dataset.state = state;
    ui.root.hidden = false;
    ui.text.textContent = text;
    ui.button.hidden = !button;
    ui.button.disabled = false;
    if (button) ui.button.textContent = button;
    if (state !== 'saving') ui.progress.hidden = true;
  };

  let ort: OrtBuild = 'wasm';
  const refresh = () =>
    ask<OfflineStatus>({ type: 'status' }, (s) => {
      void (async () => {
        if (s.saved && s.missing === 0) {
          show('ready', `Available offline: the whole site is saved in this browser (${mb(s.size[s.saved].bytes)}).`);
          return;
        }
        ort = s.saved ?? (await ortBuildHere(s));
        const size = mb(s.size[ort].bytes);
        if (s.saved) show('offer', `The browser removed ${s.missing} of the saved files. Save the whole site for offline use again: ${size}`, 'Save for offline');
        else show('offer', `Save the whole site for offline use: ${size}`, 'Save for offline');
      })();
      return true;
    });

  ui?.button.addEventListener('click', () => {
    ui.button.disabled = true;
    ui.root.dataset.state = 'saving';
    ui.text.textContent = 'Saving the whole site for offline use…';
    ui.progress.hidden = false;
    ui.progress.removeAttribute('value');
    void ask<SaveMessage>({ type: 'save', ort }, (m) => {
      if (m.type === 'progress') {
        ui.progress.max = m.totalBytes;
        ui.progress.value = m.doneBytes;
        ui.text.textContent = `Saving for offline use: ${m.done} of ${m.total} files, ${mb(m.doneBytes)} of ${mb(m.totalBytes)}`;
        return false;
      }
      if (m.type === 'done') void refresh();
      else show('error', `Saving stopped (${m.message}). What was saved is kept; press the button again while online to finish.`, 'Save for offline');
      return true;
    });
  });

  /** The page and what it loaded before the worker controlled it: a page read is a page kept. */
  const keepThisPage = () => {
    const page = new URL(location.href);
    page.search = '';
    page.hash = '';
    const loaded = performance.getEntriesByType('resource').map((e) => e.name);
    void ask({ type: 'keep', urls: [page.href, ...loaded] });
  };

  const wasControlled = !!sw.controller;
  sw.addEventListener('controllerchange', () => {
    if (!wasControlled && maybeReloadForIsolation()) return;
    keepThisPage();
    void refresh();
  });

  // After the page's own loads, so the worker does not compete with the first demo's wasm.
  const start = () => {
    sw.register(`${base}sw.js`, { scope: base }).then(
      (reg: ServiceWorkerRegistration | undefined) => {
        // Some hosts (and test browsers that block workers) resolve without a registration.
        if (!reg) return;
        if (sw.controller) keepThisPage();
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
