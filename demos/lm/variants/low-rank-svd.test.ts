import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../random';
import { lowRankSvd, mat64, thinQr, type Mat64 } from './low-rank-svd';

const randn = (gen: TorchGenerator, rows: number, cols: number): Mat64 => mat64(rows, cols, Float64Array.from(gen.randn(rows * cols)));
function product(a: Mat64, b: Mat64): Float64Array {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let p = 0; p < a.cols; p++) for (let j = 0; j < b.cols; j++) c[i * b.cols + j]! += a.data[i * a.cols + p]! * b.data[p * b.cols + j]!;
  return c;
}

describe('low-rank SVD (QR of both factors, Jacobi on the core)', () => {
  it('QR: Q has orthonormal columns and QR = A', () => {
    const a = randn(new TorchGenerator(1), 9, 4);
    const { q, r } = thinQr(a);
    const qr = product(q, r);
    for (let i = 0; i < qr.length; i++) expect(qr[i]).toBeCloseTo(a.data[i]!, 12);
    for (let x = 0; x < 4; x++) for (let y = 0; y < 4; y++) {
      let d = 0;
      for (let i = 0; i < 9; i++) d += q.data[i * 4 + x]! * q.data[i * 4 + y]!;
      expect(d).toBeCloseTo(x === y ? 1 : 0, 12);
    }
  });

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
