/**
 * Every experiment's default settings, the notebook's (chapter 8: its committed default run), in
 * one object keyed like the EXPERIMENTS table. The experiments, the table and the site's specs
 * read them from here; nothing restates them.
 */
import { LM_DEFAULTS } from '../lm/defaults';
import { SAVINGS_MODELS, SAVINGS_RANKS } from './savings';
import type { ExperimentName, SettingsOf, TrainingSettings } from './types';

const training: TrainingSettings = {
  seed: 42,
  dModel: 32,
  seqLen: 8,
  nSamples: 200,
  rank: 4,
  targetRank: 4,
  alpha: 8,
  lr: 0.01,
  epochs: 100,
  optimizer: 'sgd',
  scalingRule: 'alpha/r',
};

export const DEFAULTS: { readonly [E in ExperimentName]: SettingsOf<E> } = {
  lowRank: { seed: 42, d: 64, k: 64, trueRank: 4, noise: 0.001 },
  implementation: { seed: 42, dIn: 64, dOut: 64, rank: 4, alpha: 8, batch: 2, seqLen: 8, scalingRule: 'alpha/r' },
  training,
  merging: { ...training, testTokens: 4 },
  rankSweep: { ...training, ranks: [1, 2, 4, 8, 16, 32] },
  adapters: { seed: 42, dModel: 32, rank: 4, alpha: 8, testTokens: 4, scalingRule: 'alpha/r' },
  savings: { models: SAVINGS_MODELS, ranks: SAVINGS_RANKS },
  languageModel: LM_DEFAULTS,
};

// The names the site and the tests know each experiment's defaults by.
export const LOW_RANK_DEFAULTS = DEFAULTS.lowRank;
export const IMPLEMENTATION_DEFAULTS = DEFAULTS.implementation;
export const TRAINING_DEFAULTS = DEFAULTS.training;
export const MERGING_DEFAULTS = DEFAULTS.merging;
export const RANK_SWEEP_DEFAULTS = DEFAULTS.rankSweep;
export const ADAPTERS_DEFAULTS = DEFAULTS.adapters;
export const SAVINGS_DEFAULTS = DEFAULTS.savings;
export const LANGUAGE_MODEL_DEFAULTS = DEFAULTS.languageModel;
