/**
 * The language model's documented caps and chapter 8's default run, in a module of their own (no
 * graph code) so a page can read them without loading the engine. `LM_DEFAULTS` is the one
 * statement of the defaults: the experiment's settings (`DEFAULTS.languageModel`), the engine's
 * fallbacks (`stepsPerRun`, `valWindows`), `npm run lm:finetune` and the committed default run
 * (demos/lm/results/default-run.json, which these settings reproduce) all read it.
 */
import type { ScalingRule } from '../scaling';
import type { LmTask } from './files';
import type { TargetModule } from './model';

/** Documented caps: the demo's controls and the CLI refuse values outside them. */
export const MAX_LM_STEPS = 5000;
export const MAX_LM_BATCH = 64;
export const MAX_LM_STEPS_PER_RUN = 20;

/** Chapter 8's defaults: the committed default run. */
export const LM_DEFAULTS = {
  task: 'devil' as LmTask,
  method: 'lora' as 'lora' | 'full',
  targets: ['q_proj', 'v_proj'] as TargetModule[],
  rank: 8,
  alpha: 16,
  scalingRule: 'alpha/r' as ScalingRule,
  lr: 3e-3,
  /**
   * Full fine-tuning's own rate: it moves every weight of the model, not a small update beside
   * them, so it takes smaller steps than LoRA (a third of LoRA's; demos/lm/results/full-run.json).
   */
  fullLr: 1e-3,
  steps: 300,
  batch: 8,
  seed: 0,
  prompt: 'LOVE, n.  ',
  sampleLength: 120,
  temperature: 0.7,
  refreshEvery: 100,
  /** Optimizer steps unrolled per graph run (K). */
  stepsPerRun: 10,
  /** Held-out windows per loss measurement. */
  valWindows: 16,
  /** The site's base URL, where models/ and corpora/ are fetched from in a browser. */
  root: '/',
};
