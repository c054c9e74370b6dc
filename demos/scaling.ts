/** The LoRA scaling s, for every model the engine adapts. */

/** α/r (Hu et al. 2021, PEFT's default) or α/√r (rsLoRA, Kalajdzievic 2023; PEFT's `use_rslora`). */
export type ScalingRule = 'alpha/r' | 'alpha/sqrt(r)';

/** The LoRA scaling s that multiplies B·A: α/r, or α/√r under rsLoRA. */
export function scalingFor(rule: ScalingRule, alpha: number, rank: number): number {
  return rule === 'alpha/sqrt(r)' ? alpha / Math.sqrt(rank) : alpha / rank;
}
