/**
 * What the reader changes — a control, a preset, Reset, the backend — and what follows. The
 * rule (issue 11): an edit during a run cancels it and starts a new run with the edited values,
 * so the chart, progress, URL and controls never describe different settings; an edit while a
 * Run demo is idle only says the chart shows the previous settings until Run is pressed; a
 * demo without a Run button reruns a moment after the last edit.
 */
import { forgetDecision, graphFamilyOf } from '../../demos/index';
import { choiceStore } from './engine-client';
import { PAGE, defaults, parseParam } from '../demo-kit/url-state';
import { defaultsName } from '../demo-kit/spec';
import { markBusy, markPresets, markShown, setShownStatus } from './display';
import { currentView, writeUrl, type AnyValues, type Island } from './island';
import { scheduleRun, startRun } from './start-run';

/** The controls hold new valid values; `key` is the one the reader changed. */
export function commitEdit(island: Island, key: string, next: AnyValues): void {
  const { spec, figure, runner, controls, state } = island;
  state.values = spec.onChange ? spec.onChange(key, next) : next;
  if (spec.onChange) controls.show(state.values);
  markPresets(island);
  writeUrl(island);
  if (spec.params[key]!.display) {
    // A picture switch redraws what is on screen: the run in progress (its last frame, with the
    // new choice), else the shown result; never the previous result over a run (issue 15, #8).
    if (runner.running) {
      if (state.liveProgress !== undefined && spec.live) {
        const view = spec.live.view(state.liveProgress as never, state.values);
        if (view) figure.update(view);
      }
    } else if (!state.shown.partial) figure.show(currentView(island));
    markShown(island);
  } else if (runner.running) startRun(island);
  else if (!spec.runButtons) scheduleRun(island);
  else markShown(island);
}

/**
 * A preset fills the controls, as if the reader had typed its values: on a demo that reruns as
 * the reader edits it reruns; during a run it replaces the run (one set of settings on screen);
 * on an idle Run demo it waits for Run, with the time the run should take (src/README.md,
 * "When a demo runs"). Values that follow from another (full fine-tuning's own learning rate)
 * follow here as they do from the control.
 */
export function applyPreset(island: Island, id: string | undefined): void {
  const { spec, runner, controls, state } = island;
  const preset = spec.presets.find((p) => p.id === id);
  if (!preset) return;
  let next = { ...defaults(spec.params), ...preset.values } as AnyValues;
  for (const key of Object.keys(preset.values)) next = spec.onChange ? spec.onChange(key, next) : next;
  // Display-only values (a picture switch) are the reader's, not the preset's.
  for (const [k, p] of Object.entries(spec.params)) if (p.display && !(k in preset.values)) (next as Record<string, unknown>)[k] = (state.values as Record<string, unknown>)[k];
  state.values = next;
  controls.show(state.values);
  markPresets(island);
  writeUrl(island);
  // Setting a control's value fires no event: tell what reads the controls (the time estimate under Run).
  island.slot.dispatchEvent(new Event('change'));
  if (runner.running) startRun(island);
  else if (!spec.runButtons) scheduleRun(island);
  else markShown(island);
}

/** Reset: the notebook's settings and the result computed when the site was built, as on load. */
export function resetToNotebook(island: Island): void {
  const { slot, spec, figure, status, runner, controls, buildResult, state } = island;
  clearTimeout(state.rerunTimer);
  runner.detach(); // its "Cancelled" and any late progress must not overwrite the reset
  markBusy(island, false);
  delete slot.dataset.state; // back to the build-time result, as on load
  state.values = defaults(spec.params);
  controls.show(state.values);
  markPresets(island);
  writeUrl(island);
  state.shown = { result: buildResult, isBuild: true, values: state.values };
  state.blocked = false;
  state.liveProgress = undefined;
  status.error(undefined);
  status.progress('');
  figure.show(currentView(island));
  setShownStatus(island, `Reset to ${defaultsName(island.spec).whose} settings and the result computed when the site was built.`);
  markShown(island);
}

/** The backend switch: a value it cannot hold is ignored; a new choice reruns on it. */
export function switchBackend(island: Island, raw: string): void {
  const r = parseParam(PAGE.backend, raw);
  if (!r.ok) return;
  island.state.backend = r.value;
  writeUrl(island);
  startRun(island);
}

/**
 * "Measure again": forget Auto's stored decision for this demo's graph family and run on Auto,
 * which then times both backends anew (demos/auto-backend.ts).
 */
export function measureAgain(island: Island): void {
  forgetDecision(choiceStore(), graphFamilyOf(island.spec.experiment));
  if (island.state.backend !== 'auto') return switchBackend(island, 'auto');
  startRun(island);
}
