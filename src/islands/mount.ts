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
import { defaultsName } from '../specs/parts/spec';
import { actionsFor } from './actions';
import { bindControls } from './controls';
import { demoElements } from './dom';
import { setupDownloads } from './downloads';
import type { RunError } from './engine-client';
import type { View } from './views';
import { FigureView } from './figure-view';
import { Runner } from './run';
import { PAGE, defaults, parseParam, readBackendChoice, readState, sameValue, writeState } from './state';
import { backendName, rate, seconds, StatusLine } from './status';
import { syncUrl } from './url';

type AnyValues = Values<AnySpec['params']>;
type AnyResult = ResultOf<ExperimentName>;

/**
 * What the figure shows now and the downloads offer: a finished result, or what a run that
 * stopped (diverged, cancelled, refused) had drawn, with the values it ran with.
 */
interface Shown {
  /** The result; for a run that stopped, `{ outcome, message, settings, progress }`. */
  result: unknown;
  isBuild: boolean;
  backend?: Backend;
  /** The values the figure was computed with (they differ from the controls only after an idle edit of a Run demo). */
  values: AnyValues;
  /** A run that stopped: the last frame it drew (the figure shows exactly this). */
  partial?: View;
  /** Said at the top of the Download menu: what these files are, when it is not plain. */
  note?: string;
}

/**
 * Edits during a run: the run is cancelled and a new one starts with the edited values, so the
 * chart, progress, URL and controls never describe different settings (the rerun-on-edit demos
 * already work this way). An edit while a Run demo is idle only says the chart shows the
 * previous settings until Run is pressed.
 */

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
  const backendChoice = readBackendChoice(location.search);
  let backend = backendChoice.backend;
  let shown: Shown = { result: buildResult, isBuild: true, values: defaults(spec.params) };
  // The figure of what is shown; display-only values (a picture switch) are the controls' own.
  const view = (): View => shown.partial ?? spec.view(shown.result as AnyResult, values);
  /** The settings a figure or run describes, in the URL's own words (a test hook, like data-steps). */
  const describe = (v: AnyValues) => {
    const q = writeState(spec, v);
    for (const [k, p] of Object.entries(spec.params)) if (p.display) q.delete(`${spec.id}.${k}`);
    return q.toString();
  };
  const sameSettings = (a: AnyValues, b: AnyValues) => describe(a) === describe(b);
  let settledStatus = '';
  /** The figure's settings and whether they are the controls' (an idle edit of a Run demo). */
  const markShown = () => {
    slot.dataset.settings = describe(shown.values);
    const edited = !runner.running && !sameSettings(shown.values, values);
    if (edited) {
      slot.dataset.edited = 'true';
      status.set('Settings changed: press Run to use them. The chart still shows the previous settings.');
    } else if (slot.dataset.edited) {
      delete slot.dataset.edited;
      status.set(settledStatus);
    }
  };
  const setStatus = (text: string) => {
    settledStatus = text;
    status.set(text);
  };
  const writeUrl = () => syncUrl(spec, values, usesEngine ? backend : undefined);

  // Bind the controls ------------------------------------------------------------------------
  const controls = bindControls(el, spec, () => values, {
    commit(key, next) {
      values = spec.onChange ? spec.onChange(key, next) : next;
      if (spec.onChange) controls.show(values);
      markPreset();
      writeUrl();
      if (spec.params[key]!.display) {
        if (!shown.partial) figure.show(view());
      } else if (runner.running) start(); // the rule above: an edit cancels the run and reruns
      else if (!spec.runButtons) schedule();
      else markShown();
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
    // Keyboard: a button that is about to be disabled hands focus to its partner, so focus
    // never falls to the page (Enter on Run → Cancel; the run ends → Run).
    const focused = document.activeElement;
    if (cancel) cancel.disabled = !on;
    if (run) run.disabled = on;
    if (on && focused === run) cancel?.focus();
    if (!on && focused === cancel) run?.focus();
  };

  const start = () => {
    clearTimeout(timer);
    if (controls.hasErrors()) {
      // A run in progress has the settings the URL shows (an invalid box was never committed): it goes on.
      if (runner.running) status.error('Fix the highlighted setting to start a new run; the run in progress continues.');
      else {
        slot.dataset.state = 'blocked'; // nothing runs until the highlighted box is fixed
        setStatus('Fix the highlighted setting to run the demo.');
      }
      return;
    }
    status.error(undefined);
    const runValues = values;
    const t0 = performance.now();
    let steps = 0;
    let usedBackend: Backend | undefined;
    let lastFrame: { view: View; progress: unknown } | undefined;
    figure.markStale();
    const secs = () => (performance.now() - t0) / 1000;
    try {
      runner.start(spec.settings(runValues), backend, {
        started(b, reason) {
          usedBackend = b;
          status.badge(b, backend, reason);
          setStatus(`Running on ${backendName(b)}…`);
        },
        progress(p: ProgressOf<ExperimentName>) {
          if (!spec.live) return;
          steps = p.steps;
          status.progress(`${spec.live.label(p)} · ${rate(steps, secs())}`);
          slot.dataset.steps = String(steps); // for bench/page.ts: steps so far
          lastFrame = { view: spec.live.view(p, runValues), progress: p };
          figure.update(lastFrame.view);
        },
        done(r) {
          shown = { result: r, isBuild: false, backend: usedBackend, values: runValues };
          busy(false);
          figure.show(view());
          status.progress('');
          const took = secs();
          setStatus(
            usesEngine
              ? `Done on ${backendName(usedBackend)} in ${seconds(took)}${steps > 0 ? ` · ${rate(steps, took)}` : ''}.`
              : 'Done on this page (plain arithmetic, no engine).',
          );
          slot.dataset.state = 'done';
          markShown();
          slot.dispatchEvent(new CustomEvent('demo:result', { bubbles: true }));
        },
        failed: (err) => failed(err, runValues, lastFrame, usedBackend),
      });
      slot.dataset.state = 'running';
      slot.dataset.running = 'true';
      delete slot.dataset.edited;
      slot.dataset.settings = describe(runValues);
      busy(true);
      setStatus(usesEngine ? 'Starting the engine…' : 'Computing…');
    } catch (e) {
      busy(false);
      status.error(`The demo could not start: ${e instanceof Error ? e.message : String(e)}`);
      setStatus('The run failed.');
    }
  };

  /** Where an error goes: next to the control its setting comes from, else under the figure. */
  const failed = (err: RunError, runValues: AnyValues, frame: { view: View; progress: unknown } | undefined, usedBackend: Backend | undefined) => {
    busy(false);
    status.progress('');
    slot.dataset.state = err.code === 'aborted' ? 'cancelled' : 'error';
    // A run that ended keeps the last frame it reached (a diverged run: the losses up to the bad
    // step), and the downloads offer that frame, saying what it is.
    figure.flush();
    const outcome = err.code === 'aborted' ? 'cancelled' : err.code === 'diverged' ? 'diverged' : 'failed';
    if (frame) {
      shown = {
        result: { outcome, message: err.message, settings: spec.settings(runValues), progress: frame.progress },
        isBuild: false,
        backend: usedBackend,
        values: runValues,
        partial: frame.view,
        note: `These files are the run that ${outcome === 'cancelled' ? 'was cancelled' : outcome === 'diverged' ? 'diverged' : 'failed'}, as far as it got (${err.message.replace(/\.$/, '')}); it has no trained adapter.`,
      };
    } else {
      // Nothing was drawn: the chart still shows what it showed before, and so do the files.
      figure.show(view());
      shown = { ...shown, note: `The run ${outcome === 'cancelled' ? 'was cancelled' : 'stopped'} before its first step: these files are the ${shown.isBuild ? `result for ${defaultsName(spec).whose} settings` : 'previous run'}, which the chart shows.` };
    }
    const before = frame ? '' : ' before its first step; the chart shows the previous result';
    if (err.code === 'aborted') {
      setStatus(frame ? 'Cancelled. The chart keeps what was drawn so far.' : `Cancelled${before}.`);
      markShown();
      return;
    }
    const control = err.setting ? ((spec.controlFor as Record<string, string> | undefined)?.[err.setting] ?? err.setting) : undefined;
    if (control && control in spec.params) {
      controls.showError(control, err.message);
      setStatus(`The engine refused a setting; see the message next to it${frame ? '' : '. The chart shows the previous result'}.`);
      markShown();
      return;
    }
    const diverged = err.code === 'diverged';
    status.error(diverged ? `${err.message} The chart keeps the losses computed so far.` : err.message);
    setStatus(diverged ? 'Training stopped.' : `The run failed${before}.`);
    markShown();
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
      // A preset is a choice to see it: it runs at once on a Run demo or during a run.
      if (spec.runButtons || runner.running) start();
      else schedule();
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
    shown = { result: buildResult, isBuild: true, values };
    status.error(undefined);
    status.progress('');
    figure.show(view());
    setStatus(`Reset to ${defaultsName(spec).whose} settings and the result computed when the site was built.`);
    markShown();
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
    current: () => ({ view: view(), result: shown.result, isBuild: shown.isBuild, backend: shown.backend, note: shown.note }),
    extra: () => (shown.partial ? [] : (spec.downloads?.(shown.result as AnyResult) ?? [])),
  });

  // Go live ------------------------------------------------------------------------------------------
  controls.show(values);
  // The link's values that could not be used: said next to their control; the controls hold what runs.
  const linkNotes = () => {
    for (const [k, m] of Object.entries(initial.errors)) controls.showNote(k, m as string);
  };
  linkNotes();
  // The address bar says what runs: a value the link could not use is replaced by the one used.
  if (Object.keys(initial.errors).length || backendChoice.message) writeUrl();
  markPreset();
  controls.enable();
  for (const b of slot.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('[data-preset], [data-action], [data-backend]')) b.disabled = false;
  const cancel = el.action('cancel');
  if (cancel) cancel.disabled = true;
  slot.dataset.island = 'ready';
  // The live run replaces the build-time figure in place (same settings unless the URL says
  // otherwise), unless the spec waits for Run (a long run, files to download).
  if (spec.autoRun ?? true) start();
  else setStatus('Showing a run computed when the site was built. Press Run to train in this page.');
  if (backendChoice.message && usesEngine) status.error(backendChoice.message);
}
