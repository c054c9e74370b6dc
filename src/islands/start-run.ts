/**
 * A run of a demo, from the press of Run (or an edit) to what it leaves on the page: its
 * progress drawn as it comes, then the result, or the last frame of a run that stopped and the
 * reason next to the control it is about. The Runner (run.ts) makes sure only the newest run
 * is heard; these steps decide what the reader sees.
 */
import type { Backend, ExperimentName, ProgressOf } from '../../demos/index';
import type { View } from '../demo-kit/view';
import { defaultsName } from '../demo-kit/spec';
import { markBusy, markShown, setShownStatus, setStatus } from './display';
import { engineClient, type RunError } from './engine-client';
import { currentView, describeSettings, liveValues, type AnyResult, type AnyValues, type Island } from './island';
import { backendName, rate, seconds } from './status';

/** What a run has drawn so far: its last frame and the progress it came from. */
type Frame = { view: View; progress: unknown };

/** Demos without a Run button rerun as the reader edits, a quarter second after the last edit. */
export function scheduleRun(island: Island): void {
  clearTimeout(island.state.rerunTimer);
  island.state.rerunTimer = setTimeout(() => startRun(island), 250);
}

/** Start a run with the controls' values; a run in progress is cancelled first (the Runner). */
export function startRun(island: Island): void {
  const { slot, spec, figure, status, runner, controls, usesEngine, state } = island;
  clearTimeout(state.rerunTimer);
  if (controls.hasErrors()) {
    // A run in progress has the settings the URL shows (an invalid box was never committed): it goes on.
    if (runner.running) status.error('Fix the highlighted setting to start a new run; the run in progress continues.');
    else {
      slot.dataset.state = 'blocked'; // nothing runs until the highlighted box is fixed
      state.blocked = true;
      status.set('Fix the highlighted setting to run the demo.');
    }
    return;
  }
  status.error(undefined);
  state.blocked = false;
  state.liveProgress = undefined;
  const runValues = state.values;
  const t0 = performance.now();
  let steps = 0;
  let usedBackend: Backend | undefined;
  let lastFrame: Frame | undefined;
  figure.markStale();
  const secs = () => (performance.now() - t0) / 1000;
  try {
    runner.start(spec.settings(runValues), state.backend, {
      started(b, reason, auto) {
        usedBackend = b;
        status.badge(b, state.backend, reason, auto);
        setStatus(island, `Running on ${backendName(b)}…`);
      },
      progress(p: ProgressOf<ExperimentName>) {
        if (!spec.live) return;
        steps = p.steps;
        status.progress(`${spec.live.label(p)} · ${rate(steps, secs())}`);
        slot.dataset.steps = String(steps); // for bench/page.ts: steps so far
        state.liveProgress = p;
        // Nothing of this run to draw yet (files loading): the figure keeps the previous result, dimmed.
        const view = spec.live.view(p, liveValues(island, runValues));
        if (!view) return;
        lastFrame = { view, progress: p };
        figure.update(view);
      },
      done: (r) => runDone(island, r, runValues, usedBackend, steps, secs()),
      failed: (err) => runFailed(island, err, runValues, lastFrame, usedBackend),
    });
    slot.dataset.state = 'running';
    slot.dataset.running = 'true';
    delete slot.dataset.edited;
    slot.dataset.settings = describeSettings(spec, runValues);
    markBusy(island, true);
    setStatus(island, usesEngine ? 'Starting the engine…' : 'Computing…');
  } catch (e) {
    markBusy(island, false);
    status.error(`The demo could not start: ${e instanceof Error ? e.message : String(e)}`);
    figure.show(currentView(island));
    setStatus(island, 'The run failed.');
  }
}

/** A finished run: its result is what the figure and the downloads show. */
function runDone(island: Island, r: AnyResult, runValues: AnyValues, usedBackend: Backend | undefined, steps: number, took: number): void {
  const { slot, figure, status, usesEngine, state } = island;
  state.shown = { result: r, isBuild: false, backend: usedBackend, values: runValues };
  state.liveProgress = undefined;
  // For tests: the engine's session cache is bounded (issue 15, #13), whatever ranks were run.
  if (usesEngine && engineClient().sessions !== undefined) slot.dataset.sessions = String(engineClient().sessions);
  slot.dataset.state = 'done';
  markBusy(island, false);
  figure.show(currentView(island));
  status.progress('');
  setShownStatus(
    island,
    usesEngine
      ? `Done on ${backendName(usedBackend)} in ${seconds(took)}${steps > 0 ? ` · ${rate(steps, took)}` : ''}.`
      : 'Done on this page (plain arithmetic, no engine).',
  );
  markShown(island);
  slot.dispatchEvent(new CustomEvent('demo:result', { bubbles: true }));
}

/**
 * A run that stopped (cancelled, diverged, refused, failed). Its error goes next to the control
 * its setting comes from, else under the figure. A refused run (a setting the engine would not
 * take) is never shown: the figure goes back to what it showed, undimmed, and the status says
 * what to fix until it is fixed (issue 15, #6 and #7).
 */
function runFailed(island: Island, err: RunError, runValues: AnyValues, frame: Frame | undefined, usedBackend: Backend | undefined): void {
  const { slot, spec, figure, status, controls, state } = island;
  state.liveProgress = undefined;
  markBusy(island, false);
  status.progress('');
  const control = err.setting ? ((spec.controlFor as Record<string, string> | undefined)?.[err.setting] ?? err.setting) : undefined;
  if (control && control in spec.params) {
    figure.show(currentView(island));
    slot.dataset.state = 'error';
    state.blocked = true;
    controls.showError(control, err.message);
    state.settledStatus = state.shownStatus;
    status.set('The engine refused a setting; see the message next to it. The chart shows the previous result.');
    markShown(island);
    return;
  }
  slot.dataset.state = err.code === 'aborted' ? 'cancelled' : 'error';
  // A run that ended keeps the last frame it reached (a diverged run: the losses up to the bad
  // step), and the downloads offer that frame, saying what it is.
  figure.flush();
  const outcome = err.code === 'aborted' ? 'cancelled' : err.code === 'diverged' ? 'diverged' : 'failed';
  const what = outcome === 'cancelled' ? 'was cancelled' : outcome === 'diverged' ? (/broke down/.test(err.message) ? 'broke down' : 'diverged') : 'failed';
  if (frame) {
    state.shown = {
      result: { outcome, message: err.message, settings: spec.settings(runValues), progress: frame.progress },
      isBuild: false,
      backend: usedBackend,
      values: runValues,
      partial: frame.view,
      note: `These files are the run that ${what}, as far as it got (${err.message.replace(/\.$/, '')}); it has no trained adapter.`,
    };
  } else {
    // Nothing was drawn: the chart still shows what it showed before, and so do the files.
    figure.show(currentView(island));
    state.shown = {
      ...state.shown,
      note: `The run ${outcome === 'cancelled' ? 'was cancelled' : 'stopped'} before its first step: these files are the ${state.shown.isBuild ? `result for ${defaultsName(island.spec).whose} settings` : 'previous run'}, which the chart shows.`,
    };
  }
  const before = frame ? '' : ' before its first step; the chart shows the previous result';
  if (err.code === 'aborted') {
    setShownStatus(island, frame ? 'Cancelled. The chart keeps what was drawn so far.' : `Cancelled${before}.`);
    markShown(island);
    return;
  }
  const diverged = err.code === 'diverged';
  status.error(diverged ? `${err.message} The chart keeps the losses computed so far.` : err.message);
  setShownStatus(island, diverged ? 'Training stopped.' : `The run failed${before}.`);
  markShown(island);
}
