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
import { markBusy, markPresets, markShown, setStatus } from './display';
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
    if (!state.shown.partial) figure.show(currentView(island));
  } else if (runner.running) startRun(island);
  else if (!spec.runButtons) scheduleRun(island);
  else markShown(island);
}

/** A preset is a choice to see it: it runs at once on a Run demo or during a run. */
export function applyPreset(island: Island, id: string | undefined): void {
  const { spec, runner, controls, state } = island;
  const preset = spec.presets.find((p) => p.id === id);
  if (!preset) return;
  state.values = { ...defaults(spec.params), ...preset.values } as AnyValues;
  controls.show(state.values);
  markPresets(island);
  writeUrl(island);
  if (spec.runButtons || runner.running) startRun(island);
  else scheduleRun(island);
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
  status.error(undefined);
  status.progress('');
  figure.show(currentView(island));
  setStatus(island, `Reset to ${defaultsName(island.spec).whose} settings and the result computed when the site was built.`);
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
