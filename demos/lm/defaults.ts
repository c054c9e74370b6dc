/**
 * The language model's documented caps and the demo's defaults, in a module of their own (no
 * graph code) so a page can read them without loading the engine.
 */
import type { TargetModule } from './model';

/** Documented caps: the demo's controls and the CLI refuse values outside them. */
export const MAX_LM_STEPS = 5000;
export const MAX_LM_BATCH = 64;
export const MAX_LM_STEPS_PER_RUN = 20;

/** The demo's (and `npm run lm:finetune`'s) defaults. */
export const LM_DEMO_DEFAULTS = {
  steps: 100,
  rank: 8,
  alpha: 16,
  targets: ['q_proj', 'v_proj'] as readonly TargetModule[],
  lr: 3e-3,
  seed: 0,
  batch: 8,
  stepsPerRun: 10,
} as const;
