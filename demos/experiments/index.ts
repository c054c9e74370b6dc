/**
 * The notebook's experiments, one function per section, each `(engine, settings?, opts?)` with
 * the notebook's settings as defaults; `runNotebook` runs them all top to bottom.
 */
import type { GraphFamily } from '../auto-backend';
import type { Engine } from '../types';
import { multiAdapter } from './adapters';
import { loraImplementation } from './implementation';
import { lowRankIntuition } from './low-rank';
import { adapterMerging } from './merging';
import { rankSweep } from './rank-sweep';
import { savingsTable } from './savings';
import { trainingComparison } from './training';
import { DEFAULTS } from './defaults';
import { languageModelBuildResult, languageModelDemo } from './language-model';
import { loraVariants, loraVariantsBuildResult } from './lora-variants';
import { adapterArithmetic, adapterArithmeticBuildResult } from './adapter-arithmetic';
import { practiceEvaluation } from './practice-evaluation';
import { practiceForgetting } from './practice-forgetting';
import { practiceLr } from './practice-lr';
import { practiceMemory } from './practice-memory';
import { practiceRank } from './practice-rank';
import { practiceTargets } from './practice-targets';
import type { ExperimentName, ExperimentOptions, FileSource, NotebookResults, PracticeResult, PracticeSettings, ProgressOf, ResultOf, SettingsOf } from './types';

export {
  DEFAULTS, LOW_RANK_DEFAULTS, IMPLEMENTATION_DEFAULTS, TRAINING_DEFAULTS, MERGING_DEFAULTS, RANK_SWEEP_DEFAULTS, ADAPTERS_DEFAULTS,
  SAVINGS_DEFAULTS, LANGUAGE_MODEL_DEFAULTS, PRACTICE_DEFAULTS, LORA_VARIANTS_DEFAULTS, ADAPTER_ARITHMETIC_DEFAULTS,
} from './defaults';
export { practiceMemory, LLAMA_7B } from './practice';
export { STUDIES, STUDY_POINTS, ALL_LINEAR, ATTENTION, MLP, QV, type PracticeRun, type StudyPoint } from './practice-study';
export { lowRankIntuition } from './low-rank';
export { initLora, loraImplementation } from './implementation';
export { trainingComparison, trainingSetup } from './training';
export type { TrainingSetup } from './training';
export { adapterMerging } from './merging';
export { rankSweep } from './rank-sweep';
export { multiAdapter } from './adapters';
export { LANGUAGE_MODEL_FILES, LM_TASKS, emptyFrame, fetchFiles, languageModelBuildResult, languageModelDemo } from './language-model';
export { LORA_VARIANT_IDS, loraVariants, loraVariantsBuildResult, variantLabel, variantOf } from './lora-variants';
export { TASK_ADAPTER_DIRS, adapterArithmetic, adapterArithmeticBuildResult, combinedFiles } from './adapter-arithmetic';
export { SAVINGS_MODELS, SAVINGS_RANKS, savingsTable } from './savings';
export { scalingFor } from '../scaling';
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
  lowRank: { kind: 'engine', defaults: DEFAULTS.lowRank, run: lowRankIntuition },
  implementation: { kind: 'engine', defaults: DEFAULTS.implementation, run: loraImplementation },
  training: { kind: 'engine', defaults: DEFAULTS.training, run: trainingComparison },
  merging: { kind: 'engine', defaults: DEFAULTS.merging, run: adapterMerging },
  rankSweep: { kind: 'engine', defaults: DEFAULTS.rankSweep, run: rankSweep },
  adapters: { kind: 'engine', defaults: DEFAULTS.adapters, run: multiAdapter },
  savings: { kind: 'arithmetic', defaults: DEFAULTS.savings, run: (s) => savingsTable(s.models, s.ranks) },
  languageModel: { kind: 'engine', defaults: DEFAULTS.languageModel, run: languageModelDemo },
  loraVariants: { kind: 'engine', defaults: DEFAULTS.loraVariants, run: loraVariants },
  adapterArithmetic: { kind: 'engine', defaults: DEFAULTS.adapterArithmetic, run: adapterArithmetic },
  practiceTargets: { kind: 'engine', defaults: DEFAULTS.practiceTargets, run: practiceTargets },
  practiceLr: { kind: 'engine', defaults: DEFAULTS.practiceLr, run: practiceLr },
  practiceRank: { kind: 'engine', defaults: DEFAULTS.practiceRank, run: practiceRank },
  practiceForgetting: { kind: 'engine', defaults: DEFAULTS.practiceForgetting, run: practiceForgetting },
  practiceMemory: { kind: 'engine', defaults: DEFAULTS.practiceMemory, run: practiceMemory },
  practiceEvaluation: { kind: 'engine', defaults: DEFAULTS.practiceEvaluation, run: practiceEvaluation },
};

/** A chapter-9 training demo at build time: no point of its own, the committed study is drawn. */
const committed = (settings: PracticeSettings): PracticeResult => ({ settings, info: { backend: 'wasm', ms: 0 } });

/**
 * Which graph family an experiment runs, for Auto's measurement (auto-backend.ts): the
 * language model's graphs are thousands of small kernels, the notebook's a few matrix products,
 * and either may be faster on the other backend.
 */
/** Chapter 10's experiments run the language model too. */
const LANGUAGE_MODEL_EXPERIMENTS: readonly ExperimentName[] = ['languageModel', 'loraVariants', 'adapterArithmetic'];
export const graphFamilyOf = (name: ExperimentName): GraphFamily => (LANGUAGE_MODEL_EXPERIMENTS.includes(name) ? 'language-model' : 'notebook');

/**
 * Every section with the notebook's settings, in the notebook's order. Each section seeds its
 * own generator as the notebook does; §4 uses §3's trained matrices and draws x_test after §3's
 * draws, so all random numbers are the notebook's. §8 (the language model) is not trained here:
 * its result is the committed default run (a 300-step run takes a minute; the build stays fast).
 */
export async function runNotebook(engine: Engine, opts: { signal?: AbortSignal; files?: FileSource } = {}): Promise<NotebookResults> {
  const { signal } = opts;
  const lowRank = await lowRankIntuition(engine, {}, { signal });
  const implementation = await loraImplementation(engine, {}, { signal });
  const training = await trainingComparison(engine, {}, { signal });
  const merging = await adapterMerging(engine, {}, { signal, trained: training });
  const rankSweepResult = await rankSweep(engine, {}, { signal });
  const adapters = await multiAdapter(engine, {}, { signal });
  const languageModel = await languageModelBuildResult();
  // §10's runs are committed too (scripts/lm/beyond-lora-run.ts), not trained at build time.
  const [loraVariantsResult, adapterArithmeticResult] = await Promise.all([loraVariantsBuildResult(), adapterArithmeticBuildResult()]);
  // §9: the committed study is drawn by the specs; memory is computed from the graphs (fast).
  return {
    lowRank, implementation, training, merging, rankSweep: rankSweepResult, adapters, savings: savingsTable(), languageModel,
    practiceTargets: committed(DEFAULTS.practiceTargets),
    practiceLr: committed(DEFAULTS.practiceLr),
    practiceRank: committed(DEFAULTS.practiceRank),
    practiceForgetting: committed(DEFAULTS.practiceForgetting),
    practiceMemory: await practiceMemory(engine, {}, { signal, files: opts.files }),
    practiceEvaluation: committed(DEFAULTS.practiceEvaluation),
    loraVariants: loraVariantsResult, adapterArithmetic: adapterArithmeticResult,
  };
}
