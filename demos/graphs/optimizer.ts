/**
 * Optimizer updates as graph fragments, shared by the LoRA and full fine-tuning graphs.
 * Semantics are torch.optim's: SGD p ← p − lr·g; Adam with β = (0.9, 0.999), ε = 1e-8 and
 * bias correction, where the per-step factors lr/(1−β₁ᵗ) and √(1−β₂ᵗ) are computed on the CPU
 * in float64 (as PyTorch does) and fed in through the `hp` input.
 */
import type { GraphBuilder } from '../onnx/builder';
import type { Optimizer } from '../types';

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** Layout of the hyper-parameter input `hp` of a training graph run of K steps: every training graph's (matrix and language model). */
export const HP = {
  lr: 0,
  scaling: 1,
  /** Adam, step j of the run: stepSize = lr/(1−β₁ᵗ) at 4+2j, √(1−β₂ᵗ) at 5+2j. */
  adam: 4,
  length: (K: number, optimizer: Optimizer): number => (optimizer === 'adam' ? 4 + 2 * K : 4),
} as const;

/**
 * Fill `hp` for a run of K steps whose first step is global step `t0` (0-based), so the
 * run's step j has PyTorch's step count t = t0 + j + 1.
 */
export function hyperParameters(K: number, optimizer: Optimizer, lr: number, scaling: number, t0: number): Float32Array {
  const hp = new Float32Array(HP.length(K, optimizer));
  hp[HP.lr] = lr;
  hp[HP.scaling] = scaling;
  if (optimizer === 'adam') {
    for (let j = 0; j < K; j++) {
      const t = t0 + j + 1;
      hp[HP.adam + 2 * j] = lr / (1 - ADAM.beta1 ** t); // step_size = lr / bias_correction1
      hp[HP.adam + 2 * j + 1] = Math.sqrt(1 - ADAM.beta2 ** t); // bias_correction2_sqrt
    }
  }
  return hp;
}

/** Adam state of one parameter: first and second moments (tensor names). */
export type Moments = { m: string; v: string };

/** p ← p − lr·g. */
export function sgdStep(g: GraphBuilder, p: string, grad: string, lr: string): string {
  return g.sub(p, g.mul(grad, lr));
}

/**
 * One torch.optim.Adam step of parameter p with gradient `grad`:
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − stepSize · m / (√v / √(1−β₂ᵗ) + ε).
 */
export function adamStep(
  g: GraphBuilder,
  p: string,
  grad: string,
  state: Moments,
  stepSize: string,
  bc2Sqrt: string,
): { p: string; state: Moments } {
  const m = g.add(g.scale(state.m, ADAM.beta1), g.scale(grad, 1 - ADAM.beta1));
  const v = g.add(g.scale(state.v, ADAM.beta2), g.scale(g.mul(grad, grad), 1 - ADAM.beta2));
  const denom = g.add(g.div(g.sqrt(v), bc2Sqrt), g.scalar(ADAM.eps));
  const next = g.sub(p, g.mul(g.div(m, denom), stepSize));
  return { p: next, state: { m, v } };
}
