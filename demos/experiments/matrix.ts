/**
 * Matrix arithmetic of the experiments: matrices between the engine's Float32Array form and
 * plain JSON, and the few float32 products the notebook computes outside training (data, ΔW,
 * merged outputs).
 *
 * Products are float32 like PyTorch's: each element is accumulated in float64 and rounded once,
 * which is within float32 rounding noise of PyTorch's sgemm and the same on every backend.
 */
import type { Matrix } from '../types';
import type { PlainMatrix } from './types';

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
