/**
 * K optimizer steps of full fine-tuning unrolled into one ONNX graph.
 *
 *   Ŷ = X·Wᵀ,  L = mean((Ŷ − Y)²) over N·d entries,  E = Ŷ − Y,
 *   ∂L/∂W = Gᵀ·X = 2/(N·d)·Eᵀ·X = 2/(N·d)·(W·Σ − YᵀX)   (d, k),
 * with Σ = XᵀX and YᵀX computed once per run, so the gradient needs no pass over the N rows;
 * the loss is computed directly from E (not by expanding the square).
 *
 * Inputs: x, y, w, hp (see optimizer.ts HP) and, for Adam, m_w, v_w.
 * Outputs: losses (max(K, 4), zero-padded), w_out and for Adam m_w_out, v_w_out.
 */
import { GraphBuilder } from '../onnx/builder';
import type { Optimizer } from '../types';
import { adamStep, HP, sgdStep, type Moments } from './optimizer';
import { lossesOutput, mseOf } from './train-lora';

export type TrainFullShape = { n: number; k: number; d: number; steps: number; optimizer: Optimizer };

export const trainFullKey = (s: TrainFullShape): string => `train_full_${s.optimizer}_n${s.n}_k${s.k}_d${s.d}_K${s.steps}`;

export const fullState = (optimizer: Optimizer): Array<[output: string, input: string]> => [
  ['w_out', 'w'],
  ...(optimizer === 'adam'
    ? ([
        ['m_w_out', 'm_w'],
        ['v_w_out', 'v_w'],
      ] as Array<[string, string]>)
    : []),
];

/** Σ = XᵀX and YᵀX, once per run. */
function grams(g: GraphBuilder, x: string, y: string): { Sigma: string; YtX: string } {
  return { Sigma: g.tmatmul(x, x), YtX: g.tmatmul(y, x) };
}

/** L = mean((X·Wᵀ − Y)²) and ∂L/∂W = 2/(N·d)·(W·Σ − YᵀX). */
function lossAndGradient(
  g: GraphBuilder, x: string, y: string, w: string, n: number, d: number, { Sigma, YtX }: { Sigma: string; YtX: string },
): { loss: string; dW: string } {
  const E = g.gemm(x, w, { transB: true, beta: -1, c: y }); // E = X·Wᵀ − Y
  const EtX = g.gemm(w, Sigma, { beta: -1, c: YtX }); // EᵀX = W·Σ − YᵀX
  return { loss: mseOf(g, E, n * d), dW: g.scale(EtX, 2 / (n * d)) };
}

export function buildTrainFull(shape: TrainFullShape): GraphBuilder {
  const { n, k, d, steps: K, optimizer } = shape;
  const g = new GraphBuilder(`train_full_${optimizer}`);
  const x = g.input('x', [n, k]);
  const y = g.input('y', [n, d]);
  let w = g.input('w', [d, k]);
  const hp = g.input('hp', [HP.length(K, optimizer)]);
  let mw: Moments = { m: '', v: '' };
  if (optimizer === 'adam') mw = { m: g.input('m_w', [d, k]), v: g.input('v_w', [d, k]) };
  const lr = g.gather(hp, [HP.lr], 0);
  const G = grams(g, x, y);
  const losses: string[] = [];
  for (let j = 0; j < K; j++) {
    const { loss, dW } = lossAndGradient(g, x, y, w, n, d, G);
    losses.push(loss); // L_j, before update j
    if (optimizer === 'sgd') {
      w = sgdStep(g, w, dW, lr);
    } else {
      const stepSize = g.gather(hp, [HP.adam + 2 * j], 0);
      const bc2Sqrt = g.gather(hp, [HP.adam + 2 * j + 1], 0);
      const next = adamStep(g, w, dW, mw, stepSize, bc2Sqrt);
      [w, mw] = [next.p, next.state];
    }
  }
  lossesOutput(g, losses);
  g.output(w, 'w_out', [d, k]);
  if (optimizer === 'adam') {
    g.output(mw.m, 'm_w_out', [d, k]);
    g.output(mw.v, 'v_w_out', [d, k]);
  }
  return g;
}

/** Loss and ∂L/∂W alone, for the finite-difference test. */
export function buildFullGradients({ n, k, d }: Omit<TrainFullShape, 'steps' | 'optimizer'>): GraphBuilder {
  const g = new GraphBuilder('full_gradients');
  const x = g.input('x', [n, k]);
  const y = g.input('y', [n, d]);
  const w = g.input('w', [d, k]);
  const { loss, dW } = lossAndGradient(g, x, y, w, n, d, grams(g, x, y));
  g.output(loss, 'loss', [1]);
  g.output(dW, 'dW', [d, k]);
  return g;
}
