/**
 * What a demo's slot says about itself, besides the figure: the status line, which settings
 * the figure shows (`data-settings`, `data-edited`), which preset is pressed, and whether a run
 * is busy (Run / Cancel and the focus between them).
 */
import { defaults, sameValue } from '../demo-kit/url-state';
import { describeSettings, type Island } from './island';

/** A status that stays until the next thing happens (an idle edit's note is said over it, then undone). */
export function setStatus({ status, state }: Island, text: string): void {
  state.settledStatus = text;
  status.set(text);
}

/**
 * The figure's settings and whether they are the controls' (an idle edit of a Run demo): an
 * edit while a Run demo is idle only says the chart shows the previous settings until Run.
 */
export function markShown(island: Island): void {
  const { slot, spec, runner, status, state } = island;
  slot.dataset.settings = describeSettings(spec, state.shown.values);
  const edited = !runner.running && describeSettings(spec, state.shown.values) !== describeSettings(spec, state.values);
  if (edited) {
    slot.dataset.edited = 'true';
    status.set('Settings changed: press Run to use them. The chart still shows the previous settings.');
  } else if (slot.dataset.edited) {
    delete slot.dataset.edited;
    status.set(state.settledStatus);
  }
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
export function markBusy({ slot, el }: Island, on: boolean): void {
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
}
