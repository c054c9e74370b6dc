/**
 * K optimizer steps of LoRA training unrolled into one ONNX graph (no Loop: it runs on the CPU).
 *
 * Model and loss, with W frozen, X (N, k), Y (N, d), A (r, k), B (d, r), scaling s:
 *   Ŷ = X·Wᵀ + s·(X·Aᵀ)·Bᵀ,   L = mean((Ŷ − Y)²) over the N·d entries.
 * With E = Ŷ − Y, H = X·Aᵀ and G = ∂L/∂Ŷ = 2/(N·d)·E:
 *   ∂L/∂B = s·Gᵀ·H          (d, r)
 *   ∂L/∂A = s·(G·B)ᵀ·X      (r, k)
 * Since W and X are fixed, R = X·Wᵀ − Y, Σ = XᵀX (k, k) and C₀ = RᵀX (d, k) are computed once per
 * run, and the gradients need no pass over the N rows:
 *   EᵀX = RᵀX + s·B·A·XᵀX = C₀ + (s·B)·(A·Σ)      (d, k)
 *   ∂L/∂B = s·Gᵀ·X·Aᵀ = c·(EᵀX)·Aᵀ,   ∂L/∂A = s·Bᵀ·Gᵀ·X = c·Bᵀ·(EᵀX),   c = 2s/(N·d).
 * Only the loss touches (N, ·) tensors: H = X·Aᵀ, E = R + H·(s·B)ᵀ, L = ‖E‖²/(N·d), computed
 * directly (not by expanding the square, which cancels badly once the fit is good).
 *
 * Inputs: x, y, w, a, b, hp (see optimizer.ts HP) and, for Adam, m_a, v_a, m_b, v_b.
 * Outputs: losses (max(K, 4): the K step losses, each computed before its update, zero-padded
 * so that no buffer is under 16 bytes), a_out, b_out and for Adam m_a_out, v_a_out, m_b_out, v_b_out.
 */
import { GraphBuilder } from '../onnx/builder';
import type { Optimizer } from '../types';
import { adamStep, HP, sgdStep, type Moments } from './optimizer';

export type TrainLoraShape = { n: number; k: number; d: number; r: number; steps: number; optimizer: Optimizer };

export const trainLoraKey = (s: TrainLoraShape): string =>
  `train_lora_${s.optimizer}_n${s.n}_k${s.k}_d${s.d}_r${s.r}_K${s.steps}`;

/** Names of the state outputs, in the order they feed the next run's inputs. */
export const loraState = (optimizer: Optimizer): Array<[output: string, input: string]> => [
  ['a_out', 'a'],
  ['b_out', 'b'],
  ...(optimizer === 'adam'
    ? ([
        ['m_a_out', 'm_a'],
        ['v_a_out', 'v_a'],
        ['m_b_out', 'm_b'],
        ['v_b_out', 'v_b'],
      ] as Array<[string, string]>)
    : []),
];

/** Loss slots padded to at least 4 floats (16 bytes). */
export const lossSlots = (K: number): number => Math.max(K, 4);

/** Concatenate the K per-step losses, each (1), into one zero-padded (max(K, 4)) output. */
export function lossesOutput(g: GraphBuilder, losses: string[]): void {
  const pad = lossSlots(losses.length) - losses.length;
  const parts = pad > 0 ? [...losses, g.constant(new Array<number>(pad).fill(0), [pad], 'pad')] : losses;
  g.output(parts.length === 1 ? parts[0]! : g.concat(parts, 0), 'losses', [lossSlots(losses.length)]);
}

/**
 * L = mean(E²) as a (1) tensor. The sum is taken per row first, then over rows: one float32
 * running sum over all N·d squares drifts by ~1e-6 relative (PyTorch sums pairwise), which
 * is enough to change the notebook's losses in their 6th decimal.
 */
export function mseOf(g: GraphBuilder, e: string, count: number): string {
  const rowSums = g.reduceSumSquare(e, [1], true); // (N, 1): Σ_j E_ij²
  return g.reshape(g.div(g.reduceSum(rowSums, [0], true), g.scalar(count)), [1]);
}

/** What one run computes once: X, s, c = 2s/(N·d), R = X·Wᵀ − Y, Σ = XᵀX, C₀ = RᵀX. */
type LoraFixed = { x: string; s: string; c: string; R: string; Sigma: string; C0: string; count: number };

function loraFixed(g: GraphBuilder, x: string, y: string, w: string, s: string, n: number, d: number): LoraFixed {
  const R = g.gemm(x, w, { transB: true, beta: -1, c: y }); // R = X·Wᵀ − Y, (N, d)
  return {
    x, s, R, count: n * d,
    c: g.scale(s, 2 / (n * d)), // c = 2s/(N·d)
    Sigma: g.tmatmul(x, x), // Σ = XᵀX, (k, k)
    C0: g.tmatmul(R, x), // C₀ = RᵀX, (d, k)
  };
}

/** One step's loss (before the update) and gradients at (A, B). */
function loraLossAndGradients(g: GraphBuilder, f: LoraFixed, a: string, b: string): { loss: string; dA: string; dB: string } {
  const sB = g.mul(b, f.s);
  const H = g.matmulT(f.x, a); // H = X·Aᵀ, (N, r)
  const E = g.gemm(H, sB, { transB: true, c: f.R }); // E = Ŷ − Y = R + H·(s·B)ᵀ
  const EtX = g.gemm(sB, g.matmul(a, f.Sigma), { c: f.C0 }); // EᵀX = C₀ + (s·B)·(A·Σ), (d, k)
  return {
    loss: mseOf(g, E, f.count), // L = ‖E‖²/(N·d)
    dB: g.mul(g.matmulT(EtX, a), f.c), // ∂L/∂B = s·Gᵀ·H = c·(EᵀX)·Aᵀ, (d, r)
    dA: g.mul(g.tmatmul(b, EtX), f.c), // ∂L/∂A = s·(G·B)ᵀ·X = c·Bᵀ·(EᵀX), (r, k)
  };
}

export function buildTrainLora(shape: TrainLoraShape): GraphBuilder {
  const { n, k, d, r, steps: K, optimizer } = shape;
  const g = new GraphBuilder(`train_lora_${optimizer}`);
  const x = g.input('x', [n, k]);
  const y = g.input('y', [n, d]);
  const w = g.input('w', [d, k]);
  let a = g.input('a', [r, k]);
  let b = g.input('b', [d, r]);
  const hp = g.input('hp', [HP.length(K, optimizer)]);
  let ma: Moments = { m: '', v: '' };
  let mb: Moments = { m: '', v: '' };
  if (optimizer === 'adam') {
    ma = { m: g.input('m_a', [r, k]), v: g.input('v_a', [r, k]) };
    mb = { m: g.input('m_b', [d, r]), v: g.input('v_b', [d, r]) };
  }
  const lr = g.gather(hp, [HP.lr], 0);
  const s = g.gather(hp, [HP.scaling], 0);

  const fixed = loraFixed(g, x, y, w, s, n, d);
  const losses: string[] = [];
  for (let j = 0; j < K; j++) {
    const { loss, dA, dB } = loraLossAndGradients(g, fixed, a, b);
    losses.push(loss); // L_j, before update j
    if (optimizer === 'sgd') {
      a = sgdStep(g, a, dA, lr);
      b = sgdStep(g, b, dB, lr);
    } else {
      const stepSize = g.gather(hp, [HP.adam + 2 * j], 0);
      const bc2Sqrt = g.gather(hp, [HP.adam + 2 * j + 1], 0);
      const na = adamStep(g, a, dA, ma, stepSize, bc2Sqrt);
      const nb = adamStep(g, b, dB, mb, stepSize, bc2Sqrt);
      [a, ma, b, mb] = [na.p, na.state, nb.p, nb.state];
    }
  }
  lossesOutput(g, losses);
  g.output(a, 'a_out', [r, k]);
  g.output(b, 'b_out', [d, r]);
  if (optimizer === 'adam') {
    g.output(ma.m, 'm_a_out', [r, k]);
    g.output(ma.v, 'v_a_out', [r, k]);
    g.output(mb.m, 'm_b_out', [d, r]);
    g.output(mb.v, 'v_b_out', [d, r]);
  }
  return g;
}

/** The gradients alone (no update), for the finite-difference test: loss, dA, dB. */
export function buildLoraGradients({ n, k, d, r }: Omit<TrainLoraShape, 'steps' | 'optimizer'>): GraphBuilder {
  const g = new GraphBuilder('lora_gradients');
  const x = g.input('x', [n, k]);
  const y = g.input('y', [n, d]);
  const w = g.input('w', [d, k]);
  const a = g.input('a', [r, k]);
  const b = g.input('b', [d, r]);
  const hp = g.input('hp', [4]);
  const s = g.gather(hp, [HP.scaling], 0);
  const { loss, dA, dB } = loraLossAndGradients(g, loraFixed(g, x, y, w, s, n, d), a, b);
  g.output(loss, 'loss', [1]);
  g.output(dA, 'dA', [r, k]);
  g.output(dB, 'dB', [d, r]);
  return g;
}
