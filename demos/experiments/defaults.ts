/**
 * Every experiment's default settings, the notebook's (chapter 8: its committed default run), in
 * one object keyed like the EXPERIMENTS table. The experiments, the table and the site's specs
 * read them from here; nothing restates them.
 */
import { LM_DEFAULTS } from '../lm/defaults';
import { SAVINGS_MODELS, SAVINGS_RANKS } from './savings';
import type { AdapterArithmeticSettings, ExperimentName, LoraVariantsSettings, SettingsOf, TrainingSettings } from './types';

/**
 * Chapter 10's side-by-side run: chapter 8's task, targets, rank, α, rate, batch and seed, each
 * variant one knob away from it; 100 steps each so that all seven train in a few minutes.
 */
const loraVariants: LoraVariantsSettings = {
  variants: ['lora', 'dora', 'pissa', 'loraplus', 'qlora', 'rslora', 'lorahigh'],
  task: LM_DEFAULTS.task,
  targets: [...LM_DEFAULTS.targets],
  rank: LM_DEFAULTS.rank,
  alpha: LM_DEFAULTS.alpha,
  highRank: 64,
  loraplusRatio: 16,
  lr: LM_DEFAULTS.lr,
  steps: 100,
  batch: LM_DEFAULTS.batch,
  seed: LM_DEFAULTS.seed,
  stepsPerRun: LM_DEFAULTS.stepsPerRun,
  valWindows: LM_DEFAULTS.valWindows,
  root: LM_DEFAULTS.root,
};

/** Chapter 10's merging lab: the two task adapters added with weight 1 each. */
const adapterArithmetic: AdapterArithmeticSettings = {
  combination: 'linear',
  weights: [1, 1],
  density: 0.5,
  svdRank: 8,
  prompt: LM_DEFAULTS.prompt,
  sampleLength: LM_DEFAULTS.sampleLength,
  temperature: LM_DEFAULTS.temperature,
  seed: LM_DEFAULTS.seed,
  valWindows: LM_DEFAULTS.valWindows,
  root: LM_DEFAULTS.root,
};

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
  loraVariants,
  adapterArithmetic,
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
export const LORA_VARIANTS_DEFAULTS = DEFAULTS.loraVariants;
export const ADAPTER_ARITHMETIC_DEFAULTS = DEFAULTS.adapterArithmetic;
