/**
 * Every experiment's default settings, the notebook's (chapter 8: its committed default run), in
 * one object keyed like the EXPERIMENTS table. The experiments, the table and the site's specs
 * read them from here; nothing restates them.
 */
import { LM_DEFAULTS } from '../lm/defaults';
import { SAVINGS_MODELS, SAVINGS_RANKS } from './savings';
import type { AdapterArithmeticSettings, ExperimentName, LoraVariantsSettings, PracticeSettings, SettingsOf, TrainingSettings } from './types';

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

/**
 * Chapter 9's reference point: chapter 8's default adapter (LoRA on q and v, r = 8, α = 16, Adam
 * at 3e-3, seed 0), trained for 100 steps at batch 4 so that the committed study (18 runs) fits
 * about a quarter of an hour on a shared two-core CPU, measured on 32 held-out windows of the task
 * and of Austen.
 */
const practice: PracticeSettings = {
  task: LM_DEFAULTS.task,
  method: 'lora',
  targets: [...LM_DEFAULTS.targets],
  rank: LM_DEFAULTS.rank,
  alpha: LM_DEFAULTS.alpha,
  scalingRule: LM_DEFAULTS.scalingRule,
  lr: LM_DEFAULTS.lr,
  steps: 100,
  batch: 4,
  seed: LM_DEFAULTS.seed,
  slice: 0,
  evalEvery: 0,
  valWindows: 32,
  stepsPerRun: LM_DEFAULTS.stepsPerRun,
  root: LM_DEFAULTS.root,
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
  practiceTargets: practice,
  practiceLr: practice,
  practiceRank: practice,
  practiceForgetting: practice,
  practiceMemory: { targets: [...LM_DEFAULTS.targets], rank: LM_DEFAULTS.rank, batch: LM_DEFAULTS.batch, context: 64, bigBatch: 1, bigContext: 512, root: LM_DEFAULTS.root },
  /**
   * Overfitting: the adapter on every linear layer, on the first 4,000 characters of the task's
   * text only, for 150 steps (about 10 epochs of that slice at batch 4), measured every 10 steps.
   * (On 1,000 characters the held-out loss turned up after ~2.5 epochs, before it had fallen much.)
   */
  practiceEvaluation: { ...practice, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], slice: 4000, steps: 150, evalEvery: 10 },
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
export const PRACTICE_DEFAULTS = DEFAULTS.practiceTargets;
