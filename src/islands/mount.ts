/**
 * A demo island: makes one figure slot live from its spec. `mountDemo` reads as the list of
 * its steps, each a named function:
 *   createIsland — find the slot's parts (dom.ts), read the URL's settings (demo-kit/url-state.ts)
 *     and bind the controls (controls.ts) into one Island object (island.ts) that holds all state;
 *   bindToolbar — presets, Run, Cancel, Reset, backend, the actions of actions.ts;
 *   setupDownloads — the Download menu (downloads.ts);
 *   goLive — enable everything, say what the link could not use, start the first run.
 * What an edit does is edits.ts; a run from start to outcome is start-run.ts; what the slot
 * says about itself is display.ts. Nothing here knows which demo it runs: everything specific
 * is in src/specs/<experiment>.ts.
 */
import { defaultsName, type AnySpec } from '../demo-kit/spec';
import { defaults, readBackendChoice, readState } from '../demo-kit/url-state';
import { actionsFor } from './actions';
import { bindControls } from './controls';
import { markPresets, markShown, setShownStatus } from './display';
import { demoElements } from './dom';
import { setupDownloads } from './downloads';
import { applyPreset, commitEdit, measureAgain, resetToNotebook, switchBackend } from './edits';
import { FigureView } from './figure-view';
import { currentView, describeSettings, writeUrl, type AnyResult, type Island } from './island';
import { Runner } from './run';
import { startRun } from './start-run';
import { StatusLine } from './status';

export function mountDemo(slot: HTMLElement, spec: AnySpec): void {
  const { island, linkErrors, backendMessage } = createIsland(slot, spec);
  bindToolbar(island);
  setupDownloads(slot, {
    demo: spec.id,
    experiment: spec.experiment,
    usesEngine: island.usesEngine,
    current: () => {
      const { shown } = island.state;
      // During a run the files are still what the printout shows (the run being drawn has no
      // result yet): the menu says so, naming the settings they are from.
      const during = island.runner.running
        ? `A run is in progress: these files are the ${shown.isBuild ? 'result computed when the site was built' : 'previous run'} (${describeSettings(spec, shown.values) || `${defaultsName(spec).whose} settings`}), not the run being drawn.`
        : undefined;
      return { view: currentView(island), result: shown.result, isBuild: shown.isBuild, backend: shown.backend, note: [during, shown.note].filter(Boolean).join(' ') || undefined };
    },
    extra: () => (island.state.shown.partial ? [] : (spec.downloads?.(island.state.shown.result as AnyResult) ?? [])),
  });
  goLive(island, linkErrors, backendMessage);
}

/**
 * The slot's parts and the demo's state from the URL: the values the link gives (those it
 * cannot use are the notebook's, with a message each) and the page's backend choice.
 */
function createIsland(slot: HTMLElement, spec: AnySpec) {
  const el = demoElements(slot);
  const runner = new Runner(spec.experiment);
  const initial = readState(spec, location.search);
  const backendChoice = readBackendChoice(location.search);
  const buildResult = el.buildResult as AnyResult;
  const island: Island = {
    slot,
    spec,
    el,
    figure: new FigureView(el),
    status: new StatusLine(el),
    runner,
    usesEngine: runner.usesEngine,
    buildResult,
    state: {
      values: initial.values,
      backend: backendChoice.backend,
      shown: { result: buildResult, isBuild: true, values: defaults(spec.params) },
      settledStatus: '',
      shownStatus: '',
      blocked: false,
    },
    controls: bindControls(el, spec, () => island.state.values, {
      commit: (key, next) => commitEdit(island, key, next),
      submit: () => {
        if (spec.runButtons) startRun(island);
      },
    }),
  };
  return { island, linkErrors: initial.errors as Record<string, string>, backendMessage: backendChoice.message };
}

/** Presets, Run, Cancel, Reset, the backend switch and the spec's actions, each to its step. */
function bindToolbar(island: Island): void {
  const { el, spec, runner, status, state } = island;
  for (const btn of el.presets) btn.addEventListener('click', () => applyPreset(island, btn.dataset.preset));
  el.action('run')?.addEventListener('click', () => startRun(island));
  el.action('cancel')?.addEventListener('click', () => runner.cancel());
  el.action('reset')?.addEventListener('click', () => resetToNotebook(island));
  el.action('remeasure')?.addEventListener('click', () => measureAgain(island));
  const backendSelect = el.backendSelect;
  if (backendSelect) {
    backendSelect.value = state.backend;
    backendSelect.addEventListener('change', () => switchBackend(island, backendSelect.value));
  }
  for (const action of actionsFor(spec)) {
    el.action(action.id)?.addEventListener('click', () =>
      void action.run({ spec, values: () => state.values, link: () => writeUrl(island), say: (text) => status.set(text) }),
    );
  }
}

/**
 * The controls show what runs and become usable; the link's values that could not be used are
 * said next to their control and replaced in the address bar. The live run then replaces the
 * build-time figure in place, unless the spec waits for Run (a long run, files to download).
 */
function goLive(island: Island, linkErrors: Record<string, string>, backendMessage: string | undefined): void {
  const { slot, spec, el, controls, status, usesEngine, state } = island;
  controls.show(state.values);
  for (const [k, m] of Object.entries(linkErrors)) controls.showNote(k, m);
  if (Object.keys(linkErrors).length || backendMessage) writeUrl(island);
  markPresets(island);
  controls.enable();
  for (const b of slot.querySelectorAll<HTMLButtonElement | HTMLSelectElement>('[data-preset], [data-action], [data-backend]')) b.disabled = false;
  const cancel = el.action('cancel');
  if (cancel) cancel.disabled = true;
  slot.dataset.island = 'ready';
  if (spec.autoRun ?? true) startRun(island);
  else {
    setShownStatus(island, 'Showing a run computed when the site was built. Press Run to train in this page.');
    markShown(island);
  }
  if (backendMessage && usesEngine) status.error(backendMessage);
}
