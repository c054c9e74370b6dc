/**
 * What a demo is, declared once: its id, its parameters, presets, cross-field checks, how its
 * values become the experiment's settings, how the result (and a run in progress) is drawn,
 * and whether the reader presses Run or it reruns as they edit. Everything around a demo —
 * the URL state, the build-time controls and figure, the island, the worker's request —
 * reads a spec; src/specs/<experiment>.ts holds one per experiment.
 */
import type { ExperimentName, ProgressOf, ResultOf, SettingsOf } from '../../demos/index';
import type { DownloadSource } from './downloads';
import type { View } from './view';
import type { Param, ParamValue } from './params';

export type Params = Record<string, Param>;
export type Values<P extends Params> = { -readonly [K in keyof P]: ParamValue<P[K]> };
export type Errors<P extends Params> = Partial<Record<keyof P & string, string>>;

/**
 * Controls the current settings or result give nothing to do: disabled, with the reason said
 * next to them. `controls`: whole controls (LoRA's rank under full fine-tuning), by key, with
 * why; `options`: single choices of a choice control (an adapter no run has trained), with why.
 */
export interface Inactive<P extends Params> {
  controls?: Partial<Record<keyof P & string, string>>;
  options?: Partial<Record<keyof P & string, { values: string[]; why: string }>>;
}

/** Named settings a reader can apply with one click. */
export interface Preset<P extends Params> {
  id: string;
  label: string;
  values: Partial<Values<P>>;
  /** Why this preset exists, in a sentence or two (no results quoted: every number is computed). */
  note?: string;
}

/** What a spec declares; `defineDemo` adds the notebook preset. Hooks are methods (see AnySpec). */
export interface DemoDeclaration<E extends ExperimentName, P extends Params> {
  /** The `<Demo id>` in the MDX and the URL namespace (`?training.rank=8`): links depend on it. */
  id: string;
  /** The experiment it runs (a key of the engine's EXPERIMENTS table). */
  experiment: E;
  /**
   * Its Python companion, a file in companion/ that prints what the demo prints ("low_rank.py"):
   * "Export as Python" fills in its settings block, the chapter's <Companion demo> links it.
   */
  python?: string;
  /**
   * A companion in companion/ that trains the demo's run from command-line flags instead of a
   * settings block ("language_model.py": chapter 8's run in transformers + PEFT). The chapter's
   * <Companion demo> links it; "Export as Python" needs `python` and does not apply.
   */
  companion?: string;
  /**
   * Where its defaults come from: a cell of the source notebook (the default), or the chapter
   * itself for a demo the notebook has no section for (chapter 8's language model). The first
   * preset and every message about the defaults name them accordingly (defaultsName).
   */
  defaultsFrom?: 'notebook' | 'chapter';
  params: P;
  /** Presets besides "Notebook settings" (the defaults; "Default settings" for a chapter's own demo), which every demo has first. */
  presets?: Preset<P>[];
  /** Cross-field checks over a complete set of values that each passed its own check. */
  check?(v: Values<P>): Errors<P>;
  /** The experiment's settings for these values (what is not set keeps the notebook's value). */
  settings(v: Values<P>): Partial<SettingsOf<E>>;
  /** The figure panels, printout and tables of a result (build time and live). */
  view(r: ResultOf<E>, v: Values<P>): View;
  /**
   * A run in progress: its picture and a line of text, from the experiment's progress alone.
   * `view` may return undefined while there is nothing of this run to draw yet (files loading):
   * the figure then keeps what it showed, dimmed.
   */
  live?: { view(p: ProgressOf<E>, v: Values<P>): View | undefined; label(p: ProgressOf<E>): string };
  /**
   * What the current values and what is shown leave the reader nothing to do with (see
   * Inactive). `shown` is the finished result on screen (undefined for a run that stopped) and
   * whether a run is in progress.
   */
  inactive?(v: Values<P>, shown: { result: ResultOf<E> | undefined; running: boolean }): Inactive<P>;
  /** Run / Cancel / Reset buttons (training demos); otherwise it reruns as the reader edits. */
  runButtons: boolean;
  /**
   * Whether the live run starts by itself when the island loads (default true). A demo whose run
   * is long or downloads files (the language model) waits for Run and keeps the build-time figure.
   */
  autoRun?: boolean;
  /**
   * The control an experiment setting comes from, where their names differ (§1's `d` and `k`
   * are both "Size"). A SettingError about a setting is shown next to that control.
   */
  controlFor?: Partial<Record<keyof SettingsOf<E> & string, keyof P & string>>;
  /** Downloads beyond figures, data and the result (the trained adapter). */
  downloads?(r: ResultOf<E>): DownloadSource[];
  /** After a control changed, before the run: values that follow from it (a model preset fills its sizes). */
  onChange?(key: keyof P & string, v: Values<P>): Values<P>;
}

export interface DemoSpec<E extends ExperimentName = ExperimentName, P extends Params = Params> extends DemoDeclaration<E, P> {
  presets: Preset<P>[];
}

/** A spec with every type checked against its experiment; the notebook preset comes first. */
export function defineDemo<E extends ExperimentName, P extends Params>(d: DemoDeclaration<E, P>): DemoSpec<E, P> {
  const notebook: Preset<P> = { id: 'notebook', label: defaultsName(d).preset, values: defaults(d.params) };
  return { ...d, presets: [notebook, ...(d.presets ?? [])] };
}

/**
 * How the page names a demo's defaults: "Notebook settings" / "the notebook’s" where they are the
 * source notebook's, "Default settings" / "the demo’s default" where the notebook has no such
 * section (a status line then reads "the demo’s default settings", not "the notebook’s settings").
 */
export function defaultsName(spec: { defaultsFrom?: 'notebook' | 'chapter' }): { preset: string; whose: string; Whose: string } {
  return spec.defaultsFrom === 'chapter'
    ? { preset: 'Default settings', whose: 'the demo’s default', Whose: 'The demo’s default' }
    : { preset: 'Notebook settings', whose: 'the notebook’s', Whose: 'The notebook’s' };
}

/** The notebook's values of a parameter table. */
export function defaults<P extends Params>(params: P): Values<P> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(params)) out[k] = Array.isArray(p.default) ? [...p.default] : p.default;
  return out as Values<P>;
}

/**
 * Any spec, as shared code sees it: it never needs to know which. (The hooks are methods, so
 * TypeScript lets a spec of one experiment stand for this; each is checked where defined.)
 */
export type AnySpec = DemoSpec<ExperimentName, Params>;
