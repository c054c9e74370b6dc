/**
 * The controls every language-model demo (chapters 8–10) shares: which modules get adapters, as
 * the reader picks them (attention projections one by one, the MLP as one block of its three
 * matrices), and the task's name. One place, so the demos cannot drift apart.
 */
import { LANGUAGE_MODEL_FILES, LM_TASKS, MAX_LM_BATCH, MAX_LM_STEPS, type LmTask, type TargetModule } from '../../../demos/index';
import { alpha, int, lr, oneOf, scalingRule, someOf } from '../../demo-kit/params';
import type { Values } from '../../demo-kit/spec';

export type AttentionModule = Exclude<TargetModule, 'gate_proj' | 'up_proj' | 'down_proj'>;
export type TargetChoice = AttentionModule | 'mlp';
export const MLP: TargetModule[] = ['gate_proj', 'up_proj', 'down_proj'];

/** Engine targets → the reader's choices ('mlp' when all three MLP matrices are targets). */
export const choicesOf = (targets: readonly TargetModule[]): TargetChoice[] => {
  const out: TargetChoice[] = targets.filter((t): t is AttentionModule => !MLP.includes(t));
  return MLP.every((m) => targets.includes(m)) ? [...out, 'mlp'] : out;
};

/** The reader's choices → the engine's targets. */
export const targetsOf = (choices: readonly TargetChoice[]): TargetModule[] => choices.flatMap((t) => (t === 'mlp' ? MLP : [t]));

/** A task's name for people ("The Devil's Dictionary"). */
export const taskLabel = (t: string): string => LANGUAGE_MODEL_FILES.tasks[t as LmTask]?.label ?? t;

/** The target-modules control, defaulting to the engine's `targets`. */
export const targetsParam = (label: string, targets: readonly TargetModule[], hint?: string) =>
  someOf<TargetChoice>(label, choicesOf(targets), [
    { value: 'q_proj', label: 'q', token: 'q' },
    { value: 'k_proj', label: 'k', token: 'k' },
    { value: 'v_proj', label: 'v', token: 'v' },
    { value: 'o_proj', label: 'o', token: 'o' },
    { value: 'mlp', label: 'MLP (gate, up, down)', token: 'mlp' },
  ], hint);

/** What a language-model training run is set by, as chapter 8's demo and chapter 9's points take it. */
export interface RunDefaults {
  task: LmTask;
  method: 'lora' | 'full';
  targets: readonly TargetModule[];
  rank: number;
  alpha: number;
  scalingRule: Parameters<typeof scalingRule>[0];
  lr: number;
  steps: number;
  batch: number;
}

/** The controls of one training run (task, method, targets, rank, α, scaling, lr, steps, batch), defaults from `D`. */
export const runParams = (D: RunDefaults) => ({
  task: oneOf<LmTask>('Task (the text the adapter learns)', D.task, LM_TASKS.map((t) => ({ value: t, label: taskLabel(t) }))),
  method: oneOf<'lora' | 'full'>('Method', D.method, [
    { value: 'lora', label: 'LoRA' },
    { value: 'full', label: 'Full fine-tuning (every weight)' },
  ]),
  targets: targetsParam('Target modules', D.targets, 'Adapted in every layer'),
  rank: int('Rank r', D.rank, 1, 4096),
  alpha: alpha(D.alpha),
  scalingRule: scalingRule(D.scalingRule),
  lr: lr(D.lr),
  steps: int('Steps', D.steps, 1, MAX_LM_STEPS, `Adam steps, at most ${MAX_LM_STEPS}`),
  batch: int('Batch', D.batch, 1, MAX_LM_BATCH, `Windows per step, at most ${MAX_LM_BATCH}`),
});

/** The run's settings from its controls' values: `runParams` read back (the targets in the engine's form). */
export const runSettings = (v: Values<ReturnType<typeof runParams>>) => ({
  task: v.task,
  method: v.method,
  targets: targetsOf(v.targets),
  rank: v.rank,
  alpha: v.alpha,
  scalingRule: v.scalingRule,
  lr: v.lr,
  steps: v.steps,
  batch: v.batch,
});
