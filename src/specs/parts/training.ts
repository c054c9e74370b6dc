/**
 * What the training demos (§3, §4, §5) share: the notebook's training cell as controls, the
 * Adam preset and its note, the live loss curves and the trained adapter for download.
 */
import {
  TRAINING_DEFAULTS as D,
  formatComparison,
  formatLoraTraining,
  formatTrainingTask,
  type MergingResult,
  type TrainingProgress,
  type TrainingResult,
  type TrainingSettings,
} from '../../../demos/index';
import { trainingFigure } from '../../charts/figures';
import { adapterDownloads, type DownloadSource } from '../../demo-kit/downloads';
import type { View } from '../../demo-kit/view';
import { alpha, epochs, int, lr, optimizer, scalingRule, seed } from '../../demo-kit/params';
import type { Values } from '../../demo-kit/spec';

/** §3 and §4 train the same way: the notebook's training cell, as parameters. */
export const trainingParams = () => ({
  rank: int('Rank r', D.rank, 1, 32),
  lr: lr(D.lr),
  epochs: epochs(D.epochs),
  optimizer: optimizer(D.optimizer),
  scalingRule: scalingRule(D.scalingRule),
  alpha: alpha(D.alpha),
  seed: seed(D.seed),
});
type TrainingParams = ReturnType<typeof trainingParams>;

export const trainingSettings = (v: Values<TrainingParams>): Partial<TrainingSettings> => ({
  seed: v.seed,
  rank: v.rank,
  lr: v.lr,
  epochs: v.epochs,
  optimizer: v.optimizer,
  scalingRule: v.scalingRule,
  alpha: v.alpha,
});

/** The Adam preset of §3–§5 (each demo adds the note that says why it exists). */
export const ADAM = { id: 'adam', label: 'Adam (lr 0.01, 300 epochs)', values: { optimizer: 'adam' as const, lr: 0.01, epochs: 300 } };

// The notes explain; they quote no results (every number on the page comes from a run).
export const ADAM_NOTE =
  'The notebook trains with plain SGD at lr 0.01 for 100 epochs: LoRA starts from B = 0, so its gradient ' +
  'on A is zero at first, and with steps this small its loss barely moves while full fine-tuning pulls ' +
  'ahead. Adam rescales each step and reaches the low-rank target within a few hundred epochs.';

/** §3's figure and printout; a run in progress is a result with shorter curves. */
export function trainingView(r: TrainingResult): View {
  return {
    panels: trainingFigure(r),
    printout: [formatTrainingTask(r.settings), '', formatLoraTraining(r), '', formatComparison(r)].join('\n'),
  };
}

/** The loss curves so far, drawn by the same code as the finished result; LoRA trains first. */
export const liveTraining = {
  view: (p: TrainingProgress) => trainingView(p.result),
  label: (p: TrainingProgress) => `${p.run === 'lora' ? 'LoRA' : 'Full fine-tuning'}: epoch ${p.result[p.run].losses.length} of ${p.result.settings.epochs}`,
};

/** The adapter a §3 or §4 result trained, as downloads (JSON, .safetensors with PEFT names). */
export function trainedAdapterDownloads(demo: string, r: TrainingResult | MergingResult): DownloadSource[] {
  const t = 'adapter' in r ? r.adapter : r.trained;
  if (!t) return [];
  return adapterDownloads(demo, { a: t.a, b: t.b, rank: r.settings.rank, alpha: r.settings.alpha, scaling: t.scaling, scalingRule: r.settings.scalingRule });
}
