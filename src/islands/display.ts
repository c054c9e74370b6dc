/**
 * What a demo's slot says about itself, besides the figure: the status line, which settings
 * the figure shows (`data-settings`, `data-edited`), which preset is pressed, and whether a run
 * is busy (Run / Cancel and the focus between them).
 */
import { defaultsName } from '../demo-kit/spec';
import { defaults, sameValue } from '../demo-kit/url-state';
import { describeSettings, type Island } from './island';

/** A status that stays until the next thing happens (an idle edit's note is said over it, then undone). */
export function setStatus({ status, state }: Island, text: string): void {
  state.settledStatus = text;
  status.set(text);
}

/** The status of what the figure now shows (a run ended, Reset, the page loaded): said again once a refused Run is fixed. */
export function setShownStatus(island: Island, text: string): void {
  island.state.shownStatus = text;
  island.state.shownState = island.slot.dataset.state;
  setStatus(island, text);
}

/**
 * The figure's settings and whether they are the controls' (an idle edit of a Run demo): an
 * edit while a Run demo is idle only says the chart shows the previous settings until Run.
 * A refused or blocked Run keeps its words until its setting is fixed; then the slot says
 * again what the figure shows (issue 15, #6).
 */
export function markShown(island: Island): void {
  const { slot, spec, runner, status, state, controls } = island;
  slot.dataset.settings = describeSettings(spec, state.shown.values);
  markInactive(island);
  if (state.blocked && !controls.hasErrors() && !runner.running) {
    state.blocked = false;
    if (state.shownState) slot.dataset.state = state.shownState;
    else delete slot.dataset.state;
    state.settledStatus = state.shownStatus;
    status.set(state.shownStatus);
  }
  const edited = !runner.running && describeSettings(spec, state.shown.values) !== describeSettings(spec, state.values);
  if (edited) slot.dataset.edited = 'true';
  else delete slot.dataset.edited;
  if (state.blocked || runner.running) return; // the refusal (or the run) has the status
  if (edited) {
    // How long the run should take is said under Run (components/demo/estimate.ts).
    status.set(
      state.shown.isBuild && !slot.dataset.state
        ? `Showing a run computed when the site was built, with ${defaultsName(spec).whose} settings. Press Run to train with these.`
        : 'Settings changed: press Run to use them. The chart still shows the previous settings.',
    );
  } else status.set(state.settledStatus);
}

/** Controls and choices the settings leave nothing to do with: disabled, with the reason (the spec's `inactive`). */
export function markInactive({ spec, controls, runner, state }: Island): void {
  if (!spec.inactive) return;
  const result = state.shown.partial ? undefined : (state.shown.result as never);
  controls.setInactive(spec.inactive(state.values, { result, running: runner.running }));
}

/** Each preset button is pressed exactly when the controls hold its values (display-only ones aside). */
export function markPresets({ el, spec, state }: Island): void {
  for (const btn of el.presets) {
    const preset = spec.presets.find((p) => p.id === btn.dataset.preset)!;
    const full = { ...defaults(spec.params), ...preset.values } as Record<string, unknown>;
    const same = Object.entries(spec.params).every(([k, p]) => p.display || sameValue(full[k], (state.values as Record<string, unknown>)[k]));
    btn.setAttribute('aria-pressed', String(same));
  }
}

/** Run is disabled while a run is busy and Cancel while none is. */
export function markBusy(island: Island, on: boolean): void {
  const { slot, el } = island;
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
  markInactive(island);
}

