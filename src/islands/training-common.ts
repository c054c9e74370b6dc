/**
 * What §3 and §4 share: their settings from the URL values, the live loss curves from the
 * worker's progress, and the trained adapter for download.
 */
import type { MergingResult, TrainingProgress, TrainingResult, TrainingSettings } from '../../demos/experiments/types';
import type { LoraAdapter } from '../../demos/export/safetensors';
import { TRAINING_DEFAULTS } from '../../demos/experiments/training';
import { trainingView, type View } from './views';

export interface TrainingValues {
  seed: number;
  rank: number;
  lr: number;
  epochs: number;
  optimizer: TrainingSettings['optimizer'];
  scalingRule: TrainingSettings['scalingRule'];
  alpha: number;
}

export const trainingSettings = (v: TrainingValues): Partial<TrainingSettings> => ({
  seed: v.seed,
  rank: v.rank,
  lr: v.lr,
  epochs: v.epochs,
  optimizer: v.optimizer,
  scalingRule: v.scalingRule,
  alpha: v.alpha,
});

export interface Curves {
  lora: number[];
  full: number[];
}

/** The curves so far, and the picture of them: LoRA trains first, then full fine-tuning. */
export function trainingProgress(p: TrainingProgress, v: TrainingValues, acc: unknown): { acc: Curves; view: View; steps: number; label: string } {
  const curves: Curves = { ...((acc as Curves | undefined) ?? { lora: [], full: [] }) };
  curves[p.run] = p.losses;
  const view = trainingView({ settings: { epochs: v.epochs, rank: v.rank, dModel: TRAINING_DEFAULTS.dModel }, lora: { losses: curves.lora }, full: { losses: curves.full } });
  const label = `${p.run === 'lora' ? 'LoRA' : 'Full fine-tuning'}: epoch ${p.losses.length} of ${v.epochs}`;
  return { acc: curves, view, steps: curves.lora.length + curves.full.length, label };
}

/** The adapter a §3 or §4 result trained, in the shape the downloads write. */
export function trainedAdapter(r: TrainingResult | MergingResult): LoraAdapter | undefined {
  const t = 'adapter' in r ? r.adapter : r.trained;
  if (!t) return undefined;
  return { a: t.a, b: t.b, rank: r.settings.rank, alpha: r.settings.alpha, scaling: t.scaling, scalingRule: r.settings.scalingRule };
}

/** Divergence: the run that failed is full fine-tuning once LoRA has all its epochs, else LoRA. */
export function trainingDiverged(losses: number[], v: TrainingValues, acc: unknown): View {
  const curves: Curves = (acc as Curves | undefined) ?? { lora: [], full: [] };
  const run: keyof Curves = curves.lora.length >= v.epochs ? 'full' : 'lora';
  return trainingProgress({ run, step: losses.length, losses }, v, curves).view;
}
