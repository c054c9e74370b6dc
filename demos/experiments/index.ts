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
import { savingsTable } from './savings';
import { trainingComparison } from './training';
import type { NotebookResults } from './types';

export { LOW_RANK_DEFAULTS, lowRankIntuition } from './low-rank';
export { IMPLEMENTATION_DEFAULTS, initLora, loraImplementation } from './implementation';
export { TRAINING_DEFAULTS, trainingComparison, trainingSetup } from './training';
export type { TrainingSetup } from './training';
export { MERGING_DEFAULTS, adapterMerging } from './merging';
export { RANK_SWEEP_DEFAULTS, rankSweep } from './rank-sweep';
export { ADAPTERS_DEFAULTS, multiAdapter } from './adapters';
export { SAVINGS_MODELS, SAVINGS_RANKS, savingsTable } from './savings';
export { scalingFor } from './matrix';
export * from './printout';
export type * from './types';

/**
 * Every section with the notebook's settings, in the notebook's order. Each section seeds its
 * own generator as the notebook does; §4 uses §3's trained matrices and draws x_test after §3's
 * draws, so all random numbers are the notebook's.
 */
export async function runNotebook(engine: Engine, opts: { signal?: AbortSignal } = {}): Promise<NotebookResults> {
  const { signal } = opts;
  const lowRank = await lowRankIntuition(engine, {}, { signal });
  const implementation = await loraImplementation(engine, {}, { signal });
  const training = await trainingComparison(engine, {}, { signal });
  const merging = await adapterMerging(engine, {}, { signal, trained: training });
  const rankSweepResult = await rankSweep(engine, {}, { signal });
  const adapters = await multiAdapter(engine, {}, { signal });
  return { lowRank, implementation, training, merging, rankSweep: rankSweepResult, adapters, savings: savingsTable() };
}
