import { describe, expect, it } from 'vitest';
import { TorchGenerator } from './random';
import { householderQR, lowRankSvd, mat64, svd64, type Mat64 } from './linalg64';

const randn = (gen: TorchGenerator, rows: number, cols: number): Mat64 => mat64(rows, cols, Float64Array.from(gen.randn(rows * cols)));
function product(a: Mat64, b: Mat64): Float64Array {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let p = 0; p < a.cols; p++) for (let j = 0; j < b.cols; j++) c[i * b.cols + j]! += a.data[i * a.cols + p]! * b.data[p * b.cols + j]!;
  return c;
}

describe('float64 linear algebra: QR, svd64, and the SVD of a product of thin factors', () => {
  it('QR: Q has orthonormal columns and QR = A (column-major)', () => {
    const a = randn(new TorchGenerator(1), 9, 4); // read as column-major 9×4: any numbers do
    const { q, r } = householderQR(a);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 4; j++) {
      let x = 0;
      for (let l = 0; l < 4; l++) x += q.data[l * 9 + i]! * r.data[j * 4 + l]!;
      expect(x).toBeCloseTo(a.data[j * 9 + i]!, 12);
    }
    for (let x = 0; x < 4; x++) for (let y = 0; y < 4; y++) {
      let d = 0;
      for (let i = 0; i < 9; i++) d += q.data[x * 9 + i]! * q.data[y * 9 + i]!;
      expect(d).toBeCloseTo(x === y ? 1 : 0, 12);
    }
  });

  for (const [rows, cols] of [[11, 6], [6, 11]] as const) {
    it(`svd64: U diag(s) Vᵀ = X for a ${rows}×${cols} row-major matrix, descending s`, () => {
      const x = randn(new TorchGenerator(rows * cols), rows, cols);
      const { u, s, vt, k } = svd64(x.data, rows, cols);
      expect(k).toBe(Math.min(rows, cols));
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) acc += u[i * k + q]! * s[q]! * vt[q * cols + j]!;
        expect(acc).toBeCloseTo(x.data[i * cols + j]!, 12);
      }
      for (let q = 1; q < k; q++) expect(s[q]!).toBeLessThanOrEqual(s[q - 1]!);
    });
  }

  for (const [m, k, n] of [[30, 5, 12], [12, 5, 30], [7, 9, 6]] as const) {
    it(`reconstructs P·Q (${m}×${k} · ${k}×${n}) with orthonormal factors and descending singular values`, () => {
      const gen = new TorchGenerator(m * 100 + n);
      const p = randn(gen, m, k);
      const q = randn(gen, k, n);
      const { u, s, v } = lowRankSvd(p, q);
      const t = s.length;
      const full = product(p, q);
      const us = mat64(m, t, u.data.map((x, i) => x * s[i % t]!));
      const vt = mat64(t, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < t; j++) vt.data[j * n + i] = v.data[i * t + j]!;
      const rec = product(us, vt);
      const scale = Math.max(...full.map(Math.abs));
      for (let i = 0; i < full.length; i++) expect(Math.abs(rec[i]! - full[i]!) / scale).toBeLessThan(1e-12);
      for (let j = 1; j < t; j++) expect(s[j]!).toBeLessThanOrEqual(s[j - 1]!);
      for (let x = 0; x < t; x++) for (let y = 0; y < t; y++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += v.data[i * t + x]! * v.data[i * t + y]!;
        expect(d).toBeCloseTo(x === y ? 1 : 0, 10);
      }
    });
  }
});
