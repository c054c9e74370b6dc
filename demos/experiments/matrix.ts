/**
 * What the experiments share: matrices between the engine's Float32Array form and plain JSON,
 * the few float32 products the notebook computes outside training (data, ΔW, merged outputs),
 * the LoRA scaling rule, and run bookkeeping.
 *
 * Products are float32 like PyTorch's: each element is accumulated in float64 and rounded once,
 * which is within float32 rounding noise of PyTorch's sgemm and the same on every backend.
 */
import { EngineInputError, SettingError, type EngineInput } from '../errors';
import { LmInputError, type LmInputCode } from '../lm/errors';
import type { Engine, Matrix } from '../types';
import type { PlainMatrix, RunInfo, ScalingRule } from './types';

const f32 = Math.fround;

export function matrix(rows: number, cols: number, data: Float32Array = new Float32Array(rows * cols)): Matrix {
  if (data.length !== rows * cols) throw new RangeError(`${data.length} values for a ${rows}×${cols} matrix`);
  return { rows, cols, data };
}

export function toPlain(m: Matrix): PlainMatrix {
  return { rows: m.rows, cols: m.cols, data: Array.from(m.data) };
}

export function fromPlain(m: PlainMatrix): Matrix {
  return matrix(m.rows, m.cols, Float32Array.from(m.data));
}

/** `t * c` for a float32 tensor and a Python float: PyTorch rounds c to float32 first. */
export function scaled(v: Float32Array, c: number): Float32Array {
  const cf = f32(c);
  return v.map((x) => x * cf);
}

/** A·B (m×n · n×p). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let t = 0; t < a.cols; t++) s += a.data[i * a.cols + t]! * b.data[t * b.cols + j]!;
      out.data[i * b.cols + j] = s;
    }
  return out;
}

/** A·Bᵀ (m×n · (p×n)ᵀ), the `x @ W.T` of a linear layer. */
export function matmulT(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new RangeError(`matmulT: ${a.rows}×${a.cols} · (${b.rows}×${b.cols})ᵀ`);
  const out = matrix(a.rows, b.rows);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let t = 0; t < a.cols; t++) s += a.data[i * a.cols + t]! * b.data[j * b.cols + t]!;
      out.data[i * b.rows + j] = s;
    }
  return out;
}

/** a + c·b elementwise in float32 (c = −1 subtracts). */
export function axpy(a: Matrix, b: Matrix, c = 1): Matrix {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError('axpy: shapes differ');
  const cf = f32(c);
  return matrix(a.rows, a.cols, a.data.map((x, i) => x + f32(cf * b.data[i]!)));
}

/** ΔW = s·(B·A), in PyTorch's order: the product, then the scalar. */
export function deltaW(a: Matrix, b: Matrix, scaling: number): Matrix {
  const ba = matmul(b, a);
  return matrix(ba.rows, ba.cols, scaled(ba.data, scaling));
}

/** ‖·‖_F, accumulated in float64. */
export function frobenius(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** The LoRA scaling s: α/r (Hu et al.) or α/√r (rsLoRA, Kalajdzievic 2023). */
export function scalingFor(rule: ScalingRule, alpha: number, rank: number): number {
  return rule === 'alpha/sqrt(r)' ? alpha / Math.sqrt(rank) : alpha / rank;
}

/** torch.allclose(a, b, atol): |a − b| ≤ atol + rtol·|b| everywhere, rtol 1e-5 as in PyTorch. */
export function allclose(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-8, rtol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!))) return false;
  return true;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Starts the clock of a run; `done()` gives its RunInfo. */
export function runClock(engine: Engine): { done(): RunInfo } {
  const t0 = performance.now();
  return { done: () => ({ backend: engine.backend, ms: performance.now() - t0 }) };
}

/**
 * Run engine calls whose inputs an experiment computed from its settings: an EngineInputError
 * about input `i` becomes a SettingError about `from[i]`, the setting that input came from
 * (the engine's `steps` is §3's `epochs`), so the page finds the control by key, not by message.
 */
export async function fromSettings<T>(from: Partial<Record<EngineInput | LmInputCode, string>>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    // The language model's errors say what they are about by code, the matrix engine's by input.
    const setting = e instanceof EngineInputError ? from[e.input] : e instanceof LmInputError ? from[e.code] : undefined;
    throw setting ? new SettingError(setting, (e as Error).message) : e;
  }
}
