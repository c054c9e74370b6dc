/**
 * A demo island: the thin controller that makes one figure slot live from its spec. It is a
 * sequence of named steps, each in its own module:
 *   find the slot's parts (dom.ts) → bind the controls (controls.ts) → keep the URL in step
 *   (url.ts, state.ts) → run (run.ts) → draw (figure-view.ts, status.ts) → toolbar actions
 *   (actions.ts) and downloads (downloads.ts).
 * Nothing here knows which demo it runs: everything specific is in src/specs/<experiment>.ts.
 */
import type { Backend, ExperimentName, ProgressOf, ResultOf } from '../../demos/index';
import type { AnySpec, Values } from '../specs/index';
import { actionsFor } from './actions';
import { bindControls } from './controls';
import { demoElements } from './dom';
import { setupDownloads } from './downloads';
import type { RunError } from './engine-client';
import { FigureView } from './figure-view';
import { Runner } from './run';
import { PAGE, defaults, parseParam, readBackend, readState, sameValue } from './state';
import { backendName, rate, seconds, StatusLine } from './status';
import { syncUrl } from './url';

type AnyValues = Values<AnySpec['params']>;
type AnyResult = ResultOf<ExperimentName>;

/** What the figure shows now: a result, the values it is drawn with, and where it came from. */
interface Shown {
  result: AnyResult;
  isBuild: boolean;
  backend?: Backend;
}

export function mountDemo(slot: HTMLElement, spec: AnySpec): void {
  // Find the parts -----------------------------------------------------------------------
  const el = demoElements(slot);
  const buildResult = el.buildResult as AnyResult;
  const figure = new FigureView(el);
  const status = new StatusLine(el);
  const runner = new Runner(spec.experiment);
  const usesEngine = runner.usesEngine;

  // State ----------------------------------------------------------------------------------
  const initial = readState(spec, location.search);
  let values: AnyValues = initial.values;
  let backend = readBackend(location.search);
  let shown: Shown = { result: buildResult, isBuild: true };
  const view = () => spec.view(shown.result, values);
  const writeUrl = () => syncUrl(spec, values, usesEngine ? backend : undefined);

  // Bind the controls ------------------------------------------------------------------------
  const controls = bindControls(el, spec, () => values, {
    commit(key, next) {
      values = spec.onChange ? spec.onChange(key, next) : next;
      if (spec.onChange) controls.show(values);
      markPreset();
      writeUrl();
      if (spec.params[key]!.display) figure.show(view());
      else if (!spec.runButtons) schedule();
    },
    submit() {
      if (spec.runButtons) start();
    },
  });

  const markPreset = () => {
    for (const btn of el.presets) {
      const preset = spec.presets.find((p) => p.id === btn.dataset.preset)!;
      const full = { ...defaults(spec.params), ...preset.values } as Record<string, unknown>;
      const same = Object.entries(spec.params).every(([k, p]) => p.display || sameValue(full[k], (values as Record<string, unknown>)[k]));
      btn.setAttribute('aria-pressed', String(same));
    }
  };

  // Run ----------------------------------------------------------------------------------------
  const busy = (on: boolean) => {
    slot.dataset.running = on ? 'true' : 'false';
    const run = el.action('run');
    const cancel = el.action('cancel');
    if (run) run.disabled = on;
    if (cancel) cancel.disabled = !on;
  };

  const start = () => {
    clearTimeout(timer);
    if (controls.hasErrors()) {
      status.set('Fix the highlighted setting to run the demo.');
      return;
    }
    status.error(undefined);
    busy(true);
    const t0 = performance.now();
    let steps = 0;
    let usedBackend: Backend | undefined;
    status.set(usesEngine ? 'Starting the engine…' : 'Computing…');
    figure.markStale();
    const secs = () => (performance.now() - t0) / 1000;
    try {
      runner.start(spec.settings(values), backend, {
        started(b, reason) {
          usedBackend = b;
          status.badge(b, backend, reason);
          status.set(`Running on ${backendName(b)}…`);
        },
        progress(p: ProgressOf<ExperimentName>) {
          if (!spec.live) return;
          steps = p.steps;
          status.progress(`${spec.live.label(p)} · ${rate(steps, secs())}`);
          slot.dataset.steps = String(steps); // for bench/page.ts: steps so far
          figure.update(spec.live.view(p, values));
        },
        done(r) {
          shown = { result: r, isBuild: false, backend: usedBackend };
          busy(false);
          figure.show(view());
          status.progress('');
          const took = secs();
          status.set(
            usesEngine
              ? `Done on ${backendName(usedBackend)} in ${seconds(took)}${steps > 0 ? ` · ${rate(steps, took)}` : ''}.`
              : 'Done on this page (plain arithmetic, no engine).',
          );
          slot.dataset.state = 'done';
          slot.dispatchEvent(new CustomEvent('demo:result', { bubbles: true }));
        },
        failed: (err) => failed(err),
      });
    } catch (e) {
      busy(false);
      status.error(`The demo could not start: ${e instanceof Error ? e.message : String(e)}`);
      status.set('The run failed.');
    }
  };

  /** Where an error goes: next to the control its setting comes from, else under the figure. */
  const failed = (err: RunError) => {
    busy(false);
    status.progress('');
    slot.dataset.state = err.code === 'aborted' ? 'cancelled' : 'error';
    // A run that ended keeps the last frame it reached (a diverged run: the losses up to the bad step).
    figure.flush();
    if (err.code === 'aborted') {
      status.set('Cancelled. The chart keeps what was drawn so far.');
      return;
    }
    const control = err.setting ? ((spec.controlFor as Record<string, string> | undefined)?.[err.setting] ?? err.setting) : undefined;
    if (control && control in spec.params) {
      controls.showError(control, err.message);
      status.set('The engine refused a setting; see the message next to it.');
      return;
    }
    const diverged = err.code === 'diverged';
    status.error(diverged ? `${err.message} The chart keeps the losses computed so far.` : err.message);
    status.set(diverged ? 'Training stopped.' : 'The run failed.');
  };

  // Demos without a Run button rerun as the reader edits, a quarter second after the last edit.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(start, 250);
  };

  // Toolbar --------------------------------------------------------------------------------------
  for (const btn of el.presets) {
    btn.addEventListener('click', () => {
      const preset = spec.presets.find((p) => p.id === btn.dataset.preset);
      if (!preset) return;
      values = { ...defaults(spec.params), ...preset.values } as AnyValues;
      controls.show(values);
      markPreset();
      writeUrl();
      schedule();
    });
  }
  el.action('run')?.addEventListener('click', start);
  el.action('cancel')?.addEventListener('click', () => runner.cancel());
  el.action('reset')?.addEventListener('click', () => {
    clearTimeout(timer);
    runner.detach(); // its "Cancelled" and any late progress must not overwrite the reset
    busy(false);
    delete slot.dataset.state; // back to the build-time result, as on load
    values = defaults(spec.params);
    controls.show(values);
    markPreset();
    writeUrl();
    shown = { result: buildResult, isBuild: true };
    status.error(undefined);
    status.progress('');
    figure.show(view());
    status.set('Reset to the notebook’s settings and the result computed when the site was built.');
  });
  const backendSelect = el.backendSelect;
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
  for (const action of actionsFor(spec)) {
    el.action(action.id)?.addEventListener('click', () =>
      void action.run({ spec, values: () => values, link: writeUrl, say: (text) => status.set(text) }),
    );
  }

  // Downloads --------------------------------------------------------------------------------------
  setupDownloads(slot, {
    demo: spec.id,
    experiment: spec.experiment,
    usesEngine,
    current: () => ({ view: view(), result: shown.result, isBuild: shown.isBuild, backend: shown.backend }),
    extra: () => spec.downloads?.(shown.result) ?? [],
  });

  // Go live ------------------------------------------------------------------------------------------
  controls.show(values);
  for (const [k, m] of Object.entries(initial.errors)) controls.showError(k, m as string);
  markPreset();
  controls.enable();
  for (const b of slot.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('[data-preset], [data-action], [data-backend]')) b.disabled = false;
  const cancel = el.action('cancel');
  if (cancel) cancel.disabled = true;
  slot.dataset.island = 'ready';
  // The live run replaces the build-time figure in place (same settings unless the URL says
  // otherwise), unless the spec waits for Run (a long run, files to download).
  if (spec.autoRun ?? true) start();
  else status.set('Showing a run computed when the site was built. Press Run to train in this page.');
}
