/**
 * The shared controller of a demo island (tensorflow/playground's thin controller): it binds
 * the slot's build-time controls to the URL state table, runs the demo (through the engine
 * worker, or on the page for pure arithmetic), draws progress at most once per animation
 * frame, and places messages next to the control they are about. Each demo's own file
 * (src/islands/<id>.ts) only says how its values become settings and its result a view.
 */
import type { Backend } from '../../demos/types';
import { attachTooltips } from '../charts/tooltip';
import type { ErrorCode, WorkerDemo, WorkerDemos } from '../workers/protocol';
import { setupDownloads, type DownloadSource } from './downloads';
import { engineClient, RunError, type RunHandle } from './engine-client';
import { panelsHtml, summaryText, tablesHtml } from './markup';
import {
  PAGE,
  PRESETS,
  STATE,
  defaults,
  formatParam,
  parseParam,
  readBackend,
  readState,
  validate,
  writeBackend,
  writeState,
  type DemoId,
  type Param,
  type Values,
} from './state';
import type { View } from './views';

export interface RunContext<P> {
  backend: Backend | 'auto';
  onProgress(p: P): void;
  onStarted(backend: Backend, fallbackReason?: string): void;
}

export interface DemoDefinition<D extends DemoId, R, P = never> {
  demo: D;
  /** Start a run for these values. Engine demos use `workerRun`. */
  run(values: Values<D>, ctx: RunContext<P>): RunHandle<R>;
  view(result: R, values: Values<D>): View;
  /** The picture of a run in progress, from the progress so far (returns the accumulated state). */
  progress?: (p: P, values: Values<D>, acc: unknown) => { acc: unknown; view: View; steps: number; label: string };
  /** Rerun as the reader edits (cheap demos); otherwise Run starts it. */
  runOnChange: boolean;
  usesEngine: boolean;
  /** The picture when training diverged: the losses up to the failing step, from the error. */
  diverged?: (losses: number[], values: Values<D>, acc: unknown) => View;
  /** Which control an engine error code is about. */
  errorParam?: Partial<Record<ErrorCode, string>>;
  /** Extra downloads (the trained adapter). */
  downloads?: (result: R) => DownloadSource[];
  /** Called after a control changed, before the run (e.g. a preset model fills its sizes). */
  onChange?: (key: string, values: Values<D>) => Values<D>;
}

/** An engine demo's run: the values (already settings-shaped) go to the worker. */
export function workerRun<D extends WorkerDemo>(
  demo: D,
  settings: WorkerDemos[D]['settings'],
  ctx: RunContext<WorkerDemos[D]['progress']>,
): RunHandle<WorkerDemos[D]['result']> {
  return engineClient().run(demo, settings, ctx.backend, { onProgress: ctx.onProgress, onStarted: ctx.onStarted });
}

const $ = <T extends Element>(root: ParentNode, sel: string) => root.querySelector<T>(sel);

export function mountDemo<D extends DemoId, R, P>(slot: HTMLElement, def: DemoDefinition<D, R, P>): void {
  const demo = def.demo;
  const table = STATE[demo] as Record<string, Param>;
  const dataEl = $<HTMLScriptElement>(slot, 'script[data-result]');
  const buildResult = JSON.parse(dataEl?.textContent ?? 'null') as R;
  const fieldset = $<HTMLFieldSetElement>(slot, '[data-controls]')!;
  const statusEl = $<HTMLElement>(slot, '[data-status]')!;
  const progressEl = $<HTMLElement>(slot, '[data-progress]')!;
  const errorEl = $<HTMLElement>(slot, '[data-error]')!;
  const panelsEl = $<HTMLElement>(slot, '[data-panels]')!;
  const tablesEl = $<HTMLElement>(slot, '[data-tables]')!;
  const summaryEl = $<HTMLElement>(slot, '[data-summary]')!;
  const printoutEl = $<HTMLElement>(slot, '[data-printout]')!;
  const badge = $<HTMLElement>(slot, '[data-badge]');
  const badgeWhy = $<HTMLElement>(slot, '[data-badge-why]');
  const backendSelect = $<HTMLSelectElement>(slot, '[data-backend]');
  const runBtn = $<HTMLButtonElement>(slot, '[data-action="run"]');
  const cancelBtn = $<HTMLButtonElement>(slot, '[data-action="cancel"]');
  const resetBtn = $<HTMLButtonElement>(slot, '[data-action="reset"]');
  const copyBtn = $<HTMLButtonElement>(slot, '[data-action="copy-link"]')!;

  // State ------------------------------------------------------------------------------
  const initial = readState(demo, location.search);
  let values = initial.values;
  let backend = readBackend(location.search);
  let result: R = buildResult;
  let resultIsBuild = true;
  let current: RunHandle<R> | undefined;
  let lastView: View = def.view(result, values);
  let usedBackend: Backend | undefined;
  const fieldErrors = new Map<string, string>();

  // Controls ---------------------------------------------------------------------------
  const inputsOf = (key: string) => [...slot.querySelectorAll<HTMLInputElement | HTMLSelectElement>(`[data-input="${key}"]`)];
  const showFieldError = (key: string, message: string | undefined) => {
    const el = slot.querySelector<HTMLElement>(`#${demo}-${key}-error`);
    if (message) fieldErrors.set(key, message);
    else fieldErrors.delete(key);
    if (el) {
      el.textContent = message ?? '';
      el.hidden = !message;
    }
    for (const i of inputsOf(key)) {
      if (i instanceof HTMLInputElement && i.type === 'radio') continue;
      if (message) i.setAttribute('aria-invalid', 'true');
      else i.removeAttribute('aria-invalid');
    }
  };
  const setControl = (key: string, v: unknown) => {
    const p = table[key]!;
    for (const i of inputsOf(key)) {
      if (i instanceof HTMLInputElement && i.type === 'radio') i.checked = i.value === v;
      else i.value = formatParam(p, v as never);
    }
  };
  const setAllControls = () => {
    for (const key of Object.keys(table)) {
      setControl(key, (values as Record<string, unknown>)[key]);
      showFieldError(key, undefined);
    }
  };
  const rawOf = (key: string): string => {
    const ins = inputsOf(key);
    const checked = ins.find((i) => i instanceof HTMLInputElement && i.type === 'radio' && i.checked);
    return (checked ?? ins[0])?.value ?? '';
  };

  const writeUrl = () => {
    const q = new URLSearchParams(location.search);
    writeState(demo, values, q);
    if (def.usesEngine) writeBackend(backend, q);
    const s = q.toString();
    history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  };

  // Drawing ----------------------------------------------------------------------------
  let detachTips = attachTooltips(panelsEl);
  let frame = 0;
  let pendingView: View | undefined;
  let draws = 0;
  const drawPanels = (view: View) => {
    slot.dataset.draws = String(++draws);
    const panels = [...panelsEl.querySelectorAll<HTMLElement>(':scope > .demo-panel')];
    if (panels.length === view.panels.length) {
      view.panels.forEach((p, i) => (panels[i]!.innerHTML = p.svg));
    } else {
      detachTips();
      panelsEl.innerHTML = panelsHtml(view);
      panelsEl.dataset.count = String(view.panels.length);
      detachTips = attachTooltips(panelsEl);
    }
  };
  /** Throttle redraws to one per animation frame (progress arrives ~20 times a second). */
  const drawSoon = (view: View) => {
    pendingView = view;
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      if (pendingView) drawPanels(pendingView);
      pendingView = undefined;
    });
  };
  /** Drop a redraw still waiting for its frame, so it cannot paint over a newer view. */
  const dropQueuedDraw = () => {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    pendingView = undefined;
  };
  const drawAll = (view: View) => {
    dropQueuedDraw();
    lastView = view;
    drawPanels(view);
    tablesEl.innerHTML = tablesHtml(view);
    summaryEl.textContent = summaryText(view);
    const code = printoutEl.querySelector('code')!;
    code.textContent = view.printout;
    printoutEl.hidden = !view.printout;
    delete printoutEl.dataset.stale;
  };

  const setStatus = (text: string) => (statusEl.textContent = text);
  const setError = (text: string | undefined) => {
    errorEl.textContent = text ?? '';
    errorEl.hidden = !text;
  };
  const setBadge = (b: Backend | undefined, why: string) => {
    if (!badge || !badgeWhy) return;
    badge.textContent = b === 'webgpu' ? 'WebGPU' : b === 'wasm' ? 'WASM' : 'WASM · build';
    badge.dataset.backend = b ?? 'build';
    badgeWhy.textContent = why;
  };
  const backendWhy = (b: Backend, reason?: string) => {
    if (b === 'webgpu') return 'Running on your GPU through onnxruntime-web’s WebGPU backend.';
    const threads = globalThis.crossOriginIsolated ? 'multi-threaded' : 'single-threaded (the page is not cross-origin isolated)';
    if (reason) return `WASM on the CPU, ${threads}. WebGPU was not used: ${reason}`;
    return `WASM on the CPU, ${threads}${backend === 'wasm' ? ', as chosen with the backend switch' : ''}.`;
  };

  // Running ----------------------------------------------------------------------------
  const busy = (on: boolean) => {
    slot.dataset.running = on ? 'true' : 'false';
    if (runBtn) runBtn.disabled = on;
    if (cancelBtn) cancelBtn.disabled = !on;
  };

  const start = () => {
    if (fieldErrors.size > 0) {
      setStatus('Fix the highlighted setting to run the demo.');
      return;
    }
    current?.cancel();
    setError(undefined);
    busy(true);
    const t0 = performance.now();
    let acc: unknown;
    let steps = 0;
    setStatus(def.usesEngine ? 'Starting the engine…' : 'Computing…');
    // The printout belongs to the previous result until this run gives a new one.
    printoutEl.dataset.stale = 'true';
    let handle: RunHandle<R>;
    try {
      handle = startRun();
    } catch (e) {
      busy(false);
      setError(`The demo could not start: ${e instanceof Error ? e.message : String(e)}`);
      setStatus('The run failed.');
      return;
    }
    function startRun(): RunHandle<R> {
      return def.run(values, {
      backend,
      onStarted: (b, reason) => {
        usedBackend = b;
        setBadge(b, backendWhy(b, reason));
        setStatus(`Running on ${b === 'webgpu' ? 'WebGPU' : 'WASM'}…`);
      },
      onProgress: (p) => {
        if (!def.progress) return;
        const r = def.progress(p, values, acc);
        acc = r.acc;
        steps = r.steps;
        const secs = (performance.now() - t0) / 1000;
        progressEl.textContent = `${r.label} · ${Math.round(steps / Math.max(secs, 1e-3)).toLocaleString('en')} steps/s`;
        // For bench/page.ts: steps so far (the rate between samples excludes engine start-up).
        slot.dataset.steps = String(steps);
        drawSoon(r.view);
      },
      });
    }
    current = handle;
    handle.promise.then(
      (r) => {
        if (current !== handle) return;
        current = undefined;
        result = r;
        resultIsBuild = false;
        busy(false);
        drawAll(def.view(r, values));
        const secs = (performance.now() - t0) / 1000;
        const rate = steps > 0 ? ` · ${Math.round(steps / secs).toLocaleString('en')} steps/s` : '';
        progressEl.textContent = '';
        setStatus(def.usesEngine ? `Done on ${usedBackend === 'webgpu' ? 'WebGPU' : 'WASM'} in ${secs.toFixed(secs < 10 ? 2 : 1)} s${rate}.` : 'Done on this page (plain arithmetic, no engine).');
        slot.dataset.state = 'done';
        slot.dispatchEvent(new CustomEvent('demo:result', { bubbles: true }));
      },
      (e: unknown) => {
        if (current !== handle) return;
        current = undefined;
        busy(false);
        progressEl.textContent = '';
        const err = e instanceof RunError ? e : new RunError(e instanceof Error ? e.message : String(e), 'internal');
        slot.dataset.state = err.code === 'aborted' ? 'cancelled' : 'error';
        if (err.code === 'aborted') {
          setStatus('Cancelled. The chart keeps what was drawn so far.');
          return;
        }
        const key = def.errorParam?.[err.code];
        if (key && key in table) {
          showFieldError(key, err.message);
          setStatus('The engine refused a setting; see the message next to it.');
        } else {
          if (err.code === 'diverged' && err.losses && def.diverged) {
            dropQueuedDraw();
            drawPanels(def.diverged(err.losses, values, acc));
          }
          setError(err.code === 'diverged' ? `${err.message} The chart keeps the losses computed so far.` : err.message);
          setStatus(err.code === 'diverged' ? 'Training stopped.' : 'The run failed.');
        }
      },
    );
  };

  const cancel = () => current?.cancel();

  /** Values changed (control, preset, reset): URL, then rerun or redraw. */
  const changed = (opts: { display?: boolean; run?: boolean } = {}) => {
    writeUrl();
    if (opts.display) {
      drawAll(def.view(result, values));
      return;
    }
    if (opts.run ?? def.runOnChange) schedule();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(start, 250);
  };

  const onControl = (key: string, commit: boolean) => {
    const p = table[key]!;
    const parsed = parseParam(p, rawOf(key));
    if (!parsed.ok) {
      showFieldError(key, parsed.message);
      return;
    }
    const next = { ...values, [key]: parsed.value } as Values<D>;
    const cross = validate(demo, next) as Record<string, string>;
    // Clear this field, and any cross-check message that no longer applies.
    showFieldError(key, cross[key]);
    for (const k of Object.keys(table)) {
      if (k !== key && fieldErrors.has(k) && !cross[k] && parseParam(table[k]!, rawOf(k)).ok) showFieldError(k, undefined);
    }
    if (cross[key] || !commit) return;
    values = def.onChange ? def.onChange(key, next) : next;
    if (def.onChange) for (const k of Object.keys(table)) setControl(k, (values as Record<string, unknown>)[k]);
    changed({ display: !!p.display });
  };

  fieldset.addEventListener('input', (ev) => {
    const key = (ev.target as HTMLElement).dataset.input;
    if (key) onControl(key, table[key]!.kind === 'enum');
  });
  fieldset.addEventListener('change', (ev) => {
    const key = (ev.target as HTMLElement).dataset.input;
    if (key) onControl(key, true);
  });
  fieldset.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.target as HTMLElement).dataset.input) {
      ev.preventDefault();
      const key = (ev.target as HTMLElement).dataset.input!;
      onControl(key, true);
      if (!def.runOnChange && fieldErrors.size === 0) start();
    }
  });

  for (const btn of slot.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
    btn.addEventListener('click', () => {
      const preset = PRESETS[demo].find((p) => p.id === btn.dataset.preset);
      if (!preset) return;
      values = { ...defaults(demo), ...preset.values } as Values<D>;
      setAllControls();
      markPreset();
      changed({ run: true });
    });
  }
  const markPreset = () => {
    for (const btn of slot.querySelectorAll<HTMLButtonElement>('[data-preset]')) {
      const preset = PRESETS[demo].find((p) => p.id === btn.dataset.preset)!;
      const full = { ...defaults(demo), ...preset.values } as Record<string, unknown>;
      const same = Object.keys(table).every((k) => table[k]!.display || JSON.stringify(full[k]) === JSON.stringify((values as Record<string, unknown>)[k]));
      btn.setAttribute('aria-pressed', String(same));
    }
  };
  fieldset.addEventListener('change', markPreset);

  runBtn?.addEventListener('click', start);
  cancelBtn?.addEventListener('click', cancel);
  resetBtn?.addEventListener('click', () => {
    // Detach the run before cancelling it: its "Cancelled" outcome must not overwrite the reset.
    const running = current;
    current = undefined;
    running?.cancel();
    busy(false);
    delete slot.dataset.state; // back to the build-time result, as on load
    values = defaults(demo);
    setAllControls();
    markPreset();
    writeUrl();
    result = buildResult;
    resultIsBuild = true;
    setError(undefined);
    progressEl.textContent = '';
    drawAll(def.view(result, values));
    setStatus('Reset to the notebook’s settings and result.');
  });

  if (backendSelect) {
    backendSelect.value = backend;
    backendSelect.addEventListener('change', () => {
      const r = parseParam(PAGE.backend, backendSelect.value);
      if (!r.ok) return;
      backend = r.value;
      writeUrl();
      start();
    });
  }

  copyBtn.addEventListener('click', async () => {
    writeUrl();
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      setStatus('Link copied: it opens this chapter with these settings.');
    } catch {
      setStatus(`Copy this link: ${url}`);
    }
  });

  setupDownloads(slot, {
    demo,
    usesEngine: def.usesEngine,
    current: () => ({ view: lastView, result, isBuild: resultIsBuild, backend: usedBackend }),
    extra: () => def.downloads?.(result) ?? [],
  });

  // Go live ------------------------------------------------------------------------------
  setAllControls();
  for (const [k, m] of Object.entries(initial.errors)) showFieldError(k, m as string);
  markPreset();
  fieldset.disabled = false;
  for (const b of slot.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('[data-preset], [data-action], [data-backend]')) b.disabled = false;
  if (cancelBtn) cancelBtn.disabled = true;
  slot.dataset.island = 'ready';
  // The live run replaces the build-time figure in place (same settings unless the URL says otherwise).
  start();
}
