/**
 * The notebook's experiments, one function per section, each `(engine, settings?, opts?)` with
 * the notebook's settings as defaults; `runNotebook` runs them all top to bottom.
 */
import type { Engine } from '../types';
import { multiAdapter } from './adapters';
import { loraImplementation } from './implementation';
import { lowRankIntuition } from './low-rank';
import { adapterMerging } from './merging';
import { rankSweep } from './rank-sweep';
import { SAVINGS_DEFAULTS, savingsTable } from './savings';
import { trainingComparison } from './training';
import { LOW_RANK_DEFAULTS } from './low-rank';
import { IMPLEMENTATION_DEFAULTS } from './implementation';
import { TRAINING_DEFAULTS } from './training';
import { MERGING_DEFAULTS } from './merging';
import { RANK_SWEEP_DEFAULTS } from './rank-sweep';
import { ADAPTERS_DEFAULTS } from './adapters';
import { LANGUAGE_MODEL_DEFAULTS, languageModelBuildResult, languageModelDemo } from './language-model';
import type { ExperimentName, ExperimentOptions, NotebookResults, ProgressOf, ResultOf, SettingsOf } from './types';

export { LOW_RANK_DEFAULTS, lowRankIntuition } from './low-rank';
export { IMPLEMENTATION_DEFAULTS, initLora, loraImplementation } from './implementation';
export { TRAINING_DEFAULTS, trainingComparison, trainingSetup } from './training';
export type { TrainingSetup } from './training';
export { MERGING_DEFAULTS, adapterMerging } from './merging';
export { RANK_SWEEP_DEFAULTS, rankSweep } from './rank-sweep';
export { ADAPTERS_DEFAULTS, multiAdapter } from './adapters';
export { LANGUAGE_MODEL_DEFAULTS, LANGUAGE_MODEL_FILES, LM_TASKS, emptyFrame, fetchFiles, languageModelBuildResult, languageModelDemo, type FileSource } from './language-model';
export { SAVINGS_DEFAULTS, SAVINGS_MODELS, SAVINGS_RANKS, savingsTable } from './savings';
export { scalingFor } from './matrix';
export * from './printout';
export type * from './types';

/**
 * How an experiment runs: on the engine (ONNX graphs; on a page, in the engine worker), or as
 * plain arithmetic anywhere (no engine, no worker). `defaults` are the notebook's settings.
 */
export type Experiment<E extends ExperimentName> =
  | {
      kind: 'engine';
      defaults: SettingsOf<E>;
      run(engine: Engine, settings: Partial<SettingsOf<E>>, opts: ExperimentOptions<ProgressOf<E>>): Promise<ResultOf<E>>;
    }
  | { kind: 'arithmetic'; defaults: SettingsOf<E>; run(settings: Partial<SettingsOf<E>>): ResultOf<E> };

/** The experiments table: every section by name. */
export const EXPERIMENTS: { [E in ExperimentName]: Experiment<E> } = {
  lowRank: { kind: 'engine', defaults: LOW_RANK_DEFAULTS, run: lowRankIntuition },
  implementation: { kind: 'engine', defaults: IMPLEMENTATION_DEFAULTS, run: loraImplementation },
  training: { kind: 'engine', defaults: TRAINING_DEFAULTS, run: trainingComparison },
  merging: { kind: 'engine', defaults: MERGING_DEFAULTS, run: adapterMerging },
  rankSweep: { kind: 'engine', defaults: RANK_SWEEP_DEFAULTS, run: rankSweep },
  adapters: { kind: 'engine', defaults: ADAPTERS_DEFAULTS, run: multiAdapter },
  savings: { kind: 'arithmetic', defaults: SAVINGS_DEFAULTS, run: (s) => savingsTable(s.models, s.ranks) },
  languageModel: { kind: 'engine', defaults: LANGUAGE_MODEL_DEFAULTS, run: languageModelDemo },
};

/**
 * Every section with the notebook's settings, in the notebook's order. Each section seeds its
 * own generator as the notebook does; §4 uses §3's trained matrices and draws x_test after §3's
 * draws, so all random numbers are the notebook's. §8 (the language model) is not trained here:
 * its result is the committed default run (a 300-step run takes a minute; the build stays fast).
 */
export async function runNotebook(engine: Engine, opts: { signal?: AbortSignal } = {}): Promise<NotebookResults> {
  const { signal } = opts;
  const lowRank = await lowRankIntuition(engine, {}, { signal });
  const implementation = await loraImplementation(engine, {}, { signal });
  const training = await trainingComparison(engine, {}, { signal });
  const merging = await adapterMerging(engine, {}, { signal, trained: training });
  const rankSweepResult = await rankSweep(engine, {}, { signal });
  const adapters = await multiAdapter(engine, {}, { signal });
  const languageModel = await languageModelBuildResult();
  return { lowRank, implementation, training, merging, rankSweep: rankSweepResult, adapters, savings: savingsTable(), languageModel };
}
