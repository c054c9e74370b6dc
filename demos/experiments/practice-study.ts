/**
 * Chapter 9's committed study: which points each experiment trains, as changes to the
 * experiment's defaults (DEFAULTS.practice*). scripts/lm/practice-run.ts trains every point once
 * and writes demos/lm/results/practice.json; the chapter's figures and numbers read that file,
 * and demos/lm/practice-run.test.ts re-runs the first steps of one point per experiment.
 * No graph code: pages import this.
 */
import type { PracticeSettings } from './types';
import type { HeldOut, Point } from '../lm/practice';
import type { TargetModule } from '../lm/model';

export const ATTENTION: TargetModule[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
export const MLP: TargetModule[] = ['gate_proj', 'up_proj', 'down_proj'];
export const ALL_LINEAR: TargetModule[] = [...ATTENTION, ...MLP];
export const QV: TargetModule[] = ['q_proj', 'v_proj'];

export interface StudyPoint {
  id: string;
  /** Which experiment's defaults it starts from. */
  from: 'practiceTargets' | 'practiceEvaluation';
  change: Partial<PracticeSettings>;
}

const p = (id: string, change: Partial<PracticeSettings>, from: StudyPoint['from'] = 'practiceTargets'): StudyPoint => ({ id, from, change });

/**
 * Every point, once. Equal budget (Hu et al. 2021, Table 5, asked of LLaMA's modules): the
 * reference q, v at r = 8 trains 2 · 8 · (128 + 128) = 4,096 values per layer; all of attention at
 * r = 4 trains the same; the MLP (3 · 472 per rank) at r = 3 and every linear layer (2,440 per rank)
 * at r = 2 come nearest to it. The counts the page prints are the engine's.
 */
export const STUDY_POINTS: StudyPoint[] = [
  p('qv-r8', {}),
  p('attn-r8', { targets: ATTENTION }),
  p('mlp-r8', { targets: MLP }),
  p('all-r8', { targets: ALL_LINEAR }),
  p('attn-r4', { targets: ATTENTION, rank: 4 }),
  p('mlp-r3', { targets: MLP, rank: 3 }),
  p('all-r2', { targets: ALL_LINEAR, rank: 2 }),
  p('qv-lr1e-3', { lr: 1e-3 }),
  p('qv-lr1e-2', { lr: 1e-2 }),
  p('qv-lr3e-2', { lr: 3e-2 }),
  p('full-lr1e-4', { method: 'full', lr: 1e-4 }),
  p('full-lr3e-4', { method: 'full', lr: 3e-4 }),
  p('full-lr1e-3', { method: 'full', lr: 1e-3 }),
  p('full-lr3e-3', { method: 'full', lr: 3e-3 }),
  p('qv-r1', { rank: 1 }),
  p('qv-r8-sqrt', { scalingRule: 'alpha/sqrt(r)' }),
  p('qv-r64', { rank: 64 }),
  p('qv-r64-sqrt', { rank: 64, scalingRule: 'alpha/sqrt(r)' }),
  p('overfit', {}, 'practiceEvaluation'),
];

/** Each experiment's points (ids of STUDY_POINTS). */
export const STUDIES = {
  targets: {
    equalRank: ['qv-r8', 'attn-r8', 'mlp-r8', 'all-r8'],
    equalBudget: ['qv-r8', 'attn-r4', 'mlp-r3', 'all-r2'],
  },
  lr: { lora: ['qv-lr1e-3', 'qv-r8', 'qv-lr1e-2', 'qv-lr3e-2'], full: ['full-lr1e-4', 'full-lr3e-4', 'full-lr1e-3', 'full-lr3e-3'] },
  /** r = 1 is one point: α/r and α/√r agree there. */
  rank: { 'alpha/r': ['qv-r1', 'qv-r8', 'qv-r64'], 'alpha/sqrt(r)': ['qv-r1', 'qv-r8-sqrt', 'qv-r64-sqrt'] },
  forgetting: { qv: 'qv-r8', all: 'all-r8', full: ['full-lr1e-4', 'full-lr3e-4', 'full-lr1e-3', 'full-lr3e-3'] },
  evaluation: { overfit: 'overfit' },
  /** Held-out windows for the standard-error sweep on the base model. */
  windowCounts: [8, 16, 32, 64, 128, 256],
} as const;

/** demos/lm/results/practice.json. */
export interface PracticeRun {
  options: { steps: number; batch: number; valWindows: number };
  /** The base model on the same windows. */
  base: { task: HeldOut; austen: HeldOut };
  /** The base model's held-out task loss and its standard error at each window count. */
  windowSweep: { windows: number; loss: number; se: number }[];
  points: Record<string, Point>;
  /** Wall seconds each point took to train and measure (Node, WebAssembly, one thread, shared 2-core machine). */
  pointSeconds: Record<string, number>;
  seconds: number;
}
