/**
 * Plain float64 references of the engine's maths, for tests only. Written as loops on
 * purpose: they must be obviously right, not fast. Matrices are row-major Float64Arrays.
 */
import type { Matrix } from '../types';

export type M64 = { data: Float64Array; rows: number; cols: number };

export const to64 = (m: Matrix): M64 => ({ data: Float64Array.from(m.data), rows: m.rows, cols: m.cols });

/** A seeded generator of standard normal numbers (mulberry32 + Box–Muller). */
export function randn(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function randomMatrix(rows: number, cols: number, rng: () => number, scale = 1): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng() * scale;
  return { data, rows, cols };
}

export function zeros(rows: number, cols: number): M64 {
  return { data: new Float64Array(rows * cols), rows, cols };
}

/** op(a)·op(b) with optional transposes. */
export function mm(a: M64, b: M64, ta = false, tb = false): M64 {
  const [ar, ac] = ta ? [a.cols, a.rows] : [a.rows, a.cols];
  const [br, bc] = tb ? [b.cols, b.rows] : [b.rows, b.cols];
  if (ac !== br) throw new Error(`mm: ${ar}×${ac} by ${br}×${bc}`);
  const out = zeros(ar, bc);
  for (let i = 0; i < ar; i++)
    for (let j = 0; j < bc; j++) {
      let sum = 0;
      for (let p = 0; p < ac; p++) {
        const x = ta ? a.data[p * a.cols + i]! : a.data[i * a.cols + p]!;
        const y = tb ? b.data[j * b.cols + p]! : b.data[p * b.cols + j]!;
        sum += x * y;
      }
      out.data[i * bc + j] = sum;
    }
  return out;
}

/** a + c·b elementwise. */
export function axpy(a: M64, b: M64, c = 1): M64 {
  return { data: a.data.map((v, i) => v + c * b.data[i]!), rows: a.rows, cols: a.cols };
}

export function mse(e: M64): number {
  let s = 0;
  for (const v of e.data) s += v * v;
  return s / e.data.length;
}

/** LoRA loss and gradients: E = X·Wᵀ + s·X·Aᵀ·Bᵀ − Y, dB = s·Gᵀ·(X·Aᵀ), dA = s·(G·B)ᵀ·X. */
export function loraLossGrad(x: M64, y: M64, w: M64, a: M64, b: M64, s: number): { loss: number; dA: M64; dB: M64 } {
  const h = mm(x, a, false, true);
  const e = axpy(axpy(mm(x, w, false, true), mm(h, b, false, true), s), y, -1);
  const G = { ...e, data: e.data.map((v) => (2 / e.data.length) * v) };
  const dB = mm(G, h, true);
  const dA = mm(mm(G, b), x, true);
  return { loss: mse(e), dA: { ...dA, data: dA.data.map((v) => s * v) }, dB: { ...dB, data: dB.data.map((v) => s * v) } };
}

export function loraLoss(x: M64, y: M64, w: M64, a: M64, b: M64, s: number): number {
  const e = axpy(axpy(mm(x, w, false, true), mm(mm(x, a, false, true), b, false, true), s), y, -1);
  return mse(e);
}

export function fullLossGrad(x: M64, y: M64, w: M64): { loss: number; dW: M64 } {
  const e = axpy(mm(x, w, false, true), y, -1);
  const dW = mm(e, x, true);
  return { loss: mse(e), dW: { ...dW, data: dW.data.map((v) => (2 / e.data.length) * v) } };
}

/** torch.optim.SGD / Adam (defaults) on a list of parameters, in float64. */
export class Optimizer64 {
  private t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  constructor(
    private readonly kind: 'sgd' | 'adam',
    private readonly lr: number,
    sizes: number[],
  ) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }
  step(params: M64[], grads: M64[]): void {
    this.t++;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    params.forEach((p, i) => {
      const g = grads[i]!.data;
      if (this.kind === 'sgd') {
        for (let j = 0; j < p.data.length; j++) p.data[j]! -= this.lr * g[j]!;
        return;
      }
      const m = this.m[i]!;
      const v = this.v[i]!;
      const bc1 = 1 - b1 ** this.t;
      const bc2 = 1 - b2 ** this.t;
      for (let j = 0; j < p.data.length; j++) {
        m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
        v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
        p.data[j]! -= (this.lr / bc1) * (m[j]! / (Math.sqrt(v[j]!) / Math.sqrt(bc2) + eps));
      }
    });
  }
}
