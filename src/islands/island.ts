/**
 * One live demo, as one object: the slot's parts, the helpers that draw and run, and the state
 * that changes (`state`). Every step of the island (display.ts, start-run.ts, edits.ts) takes
 * this object; none keeps state of its own, so what a demo is doing can be read in one place.
 */
import type { Backend, ExperimentName, ResultOf } from '../../demos/index';
import type { AnySpec, Values } from '../demo-kit/spec';
import { writeState } from '../demo-kit/url-state';
import type { View } from '../demo-kit/view';
import type { ControlsBinding } from './controls';
import type { DemoElements } from './dom';
import type { FigureView } from './figure-view';
import type { Runner } from './run';
import type { StatusLine } from './status';
import { syncUrl } from './url';

export type AnyValues = Values<AnySpec['params']>;
export type AnyResult = ResultOf<ExperimentName>;

/**
 * What the figure shows now and the downloads offer: a finished result, or what a run that
 * stopped (diverged, cancelled, refused) had drawn, with the values it ran with.
 */
export interface Shown {
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

/** Everything about a demo that changes while it is on the page. */
export interface IslandState {
  /** The controls' values: what the URL says and the next run uses. */
  values: AnyValues;
  /** The page-wide backend choice (the URL's `backend`). */
  backend: Backend | 'auto';
  /** What the figure shows and the downloads offer. */
  shown: Shown;
  /** The status of the last thing that happened, said again when an idle edit is undone. */
  settledStatus: string;
  /** What the status says about the figure on screen ("Done on WASM …"): said again after a refused or blocked Run is fixed. */
  shownStatus: string;
  /** `data-state` for what is shown: undefined (the build's result), 'done', 'cancelled', 'error' (a run that diverged or failed). */
  shownState?: string;
  /** A Run that was refused (a setting the engine or a check would not take): the status says so until the setting is fixed. */
  blocked: boolean;
  /** The last progress of the run in progress (a picture switch redraws it). */
  liveProgress?: unknown;

  /** A rerun waiting for the reader to stop typing (demos without a Run button). */
  rerunTimer?: ReturnType<typeof setTimeout>;
}

export interface Island {
  slot: HTMLElement;
  spec: AnySpec;
  el: DemoElements;
  figure: FigureView;
  status: StatusLine;
  runner: Runner<ExperimentName>;
  controls: ControlsBinding;
  /** Whether the demo runs on the engine (else it is arithmetic on the page: no backend). */
  usesEngine: boolean;
  /** The result embedded at build time: what Reset goes back to. */
  buildResult: AnyResult;
  state: IslandState;
}

/** The figure of what is shown; display-only values (a picture switch) are the controls' own. */
export const currentView = ({ spec, state }: Island): View => state.shown.partial ?? spec.view(state.shown.result as AnyResult, state.values);

/** The settings a figure or run describes, in the URL's own words (a test hook, like data-steps). */
export function describeSettings(spec: AnySpec, values: AnyValues): string {
  const q = writeState(spec, values);
  for (const [k, p] of Object.entries(spec.params)) if (p.display) q.delete(`${spec.id}.${k}`);
  return q.toString();
}

/** The values a run's live frames are drawn with: the run's own, with today's picture switches (display-only values). */
export function liveValues({ spec, state }: Island, runValues: AnyValues): AnyValues {
  const out = { ...runValues } as Record<string, unknown>;
  for (const [k, p] of Object.entries(spec.params)) if (p.display) out[k] = (state.values as Record<string, unknown>)[k];
  return out as AnyValues;
}

/** The address bar says what the controls hold (and the backend, for an engine demo). */
export const writeUrl = ({ spec, state, usesEngine }: Island): string => syncUrl(spec, state.values, usesEngine ? state.backend : undefined);
