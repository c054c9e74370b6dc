import { describe, expect, it } from 'vitest';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { householderQR, jacobiSvd, matmul, matmulTN, type ColMatrix } from '../linalg64';
import { effectiveRank, loraSpectrum, subspaceSimilarity, subspaceSimilarityGrid } from './spectrum';

/** A small deterministic generator (mulberry32) for standard-normal-ish entries. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  const u = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), 1 | t);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}

const randomCol = (rows: number, cols: number, next: () => number): ColMatrix => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, next) });

/** ΔW = s·B·A formed explicitly (row-major out×in), the thing the inspector avoids. */
function formDelta(a: Float64Array, b: Float64Array, out: number, inn: number, r: number, s: number): Matrix {
  const m = new Matrix(out, inn);
  for (let i = 0; i < out; i++) for (let j = 0; j < inn; j++) {
    let v = 0;
    for (let l = 0; l < r; l++) v += b[i * r + l]! * a[l * inn + j]!;
    m.set(i, j, s * v);
  }
  return m;
}

describe('householderQR', () => {
  it.each([[40, 7], [7, 7], [5, 9]])('%i×%i: Q orthonormal, R upper triangular, QR = X', (m, n) => {
    const x = randomCol(m, n, rng(m * 100 + n));
    const { q, r } = householderQR(x);
    const k = Math.min(m, n);
    const qtq = matmulTN(q, q);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(Math.abs(qtq.data[j * k + i]! - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    for (let c = 0; c < n; c++) for (let i = c + 1; i < k; i++) expect(r.data[c * k + i]).toBe(0);
    const back = matmul(q, r);
    for (let i = 0; i < x.data.length; i++) expect(Math.abs(back.data[i]! - x.data[i]!)).toBeLessThan(1e-13);
  });
});

describe('jacobiSvd', () => {
  it('matches ml-matrix on a 12×6 matrix and G·V = U·Σ', () => {
    const g = randomCol(12, 6, rng(3));
    const { s, v, u } = jacobiSvd(g);
    const rowMajor = Matrix.from1DArray(6, 12, Array.from(g.data)).transpose();
    const ref = new SingularValueDecomposition(rowMajor).diagonal;
    for (let i = 0; i < 6; i++) expect(Math.abs(s[i]! - ref[i]!)).toBeLessThan(1e-13 * ref[0]!);
    const gv = matmul(g, v);
    for (let j = 0; j < 6; j++) for (let i = 0; i < 12; i++) expect(Math.abs(gv.data[j * 12 + i]! - u.data[j * 12 + i]! * s[j]!)).toBeLessThan(1e-13);
  });
  it('refuses a wide matrix', () => expect(() => jacobiSvd(randomCol(2, 3, rng(1)))).toThrow(/rows ≥ columns/));
});

describe('loraSpectrum', () => {
  it.each([
    ['tall B, wide A', 30, 20, 4],
    ['rank above one side (out < r)', 3, 25, 5],
    ['rank above the input width (in < r)', 25, 3, 5],
  ])('%s: singular values and ‖ΔW‖_F equal those of the formed ΔW', (_name, out, inn, r) => {
    const next = rng(out * 7 + inn + r);
    const a = Float64Array.from({ length: r * inn }, next);
    const b = Float64Array.from({ length: out * r }, next);
    const s = 0.37;
    const res = loraSpectrum({ rows: r, cols: inn, data: a }, { rows: out, cols: r, data: b }, s, { vectors: true });
    const delta = formDelta(a, b, out, inn, r, s);
    const ref = new SingularValueDecomposition(delta, { autoTranspose: true }).diagonal;
    expect(res.singularValues.length).toBe(r);
    for (let i = 0; i < r; i++) expect(Math.abs(res.singularValues[i]! - (ref[i] ?? 0))).toBeLessThan(1e-12 * ref[0]!);
    expect(res.frobenius).toBeCloseTo(delta.norm('frobenius'), 10);
    // ΔW·v_i = σ_i u_i: ‖ΔW v_i‖ = σ_i for each right vector.
    const v = res.rightVectors!;
    for (let c = 0; c < v.cols; c++) {
      const col = Matrix.columnVector(Array.from(v.data.subarray(c * inn, (c + 1) * inn)));
      expect(Math.abs(delta.mmul(col).norm('frobenius') - res.singularValues[c]!)).toBeLessThan(1e-12 * ref[0]!);
    }
  });
  it('names the shapes when B and A do not fit together', () => {
    expect(() => loraSpectrum({ rows: 4, cols: 8, data: new Float64Array(32) }, { rows: 6, cols: 3, data: new Float64Array(18) }, 1)).toThrow(/lora_B is 6×3 but lora_A is 4×8/);
  });
  it('a zero B gives a zero spectrum, not NaN', () => {
    const res = loraSpectrum({ rows: 2, cols: 5, data: Float64Array.from({ length: 10 }, rng(9)) }, { rows: 4, cols: 2, data: new Float64Array(8) }, 2, { vectors: true });
    expect(Array.from(res.singularValues)).toEqual([0, 0]);
    expect(res.frobenius).toBe(0);
    expect(effectiveRank(res.singularValues, 0.9)).toBe(0);
  });
});

describe('effectiveRank', () => {
  it('counts directions up to the energy fraction', () => {
    // energies 9, 4, 1, 0 of 14: 9/14 = 0.64, 13/14 = 0.93, 14/14 = 1.
    expect(effectiveRank([3, 2, 1, 0], 0.9)).toBe(2);
    expect(effectiveRank([3, 2, 1, 0], 0.99)).toBe(3);
    expect(effectiveRank([1, 1, 1, 1], 0.99)).toBe(4);
  });
});

describe('subspaceSimilarity', () => {
  it('is 1 for the same subspace, 0 for orthogonal ones, and i-th entries count the overlap', () => {
    const e = (n: number, cols: number[]): ColMatrix => {
      const d = new Float64Array(n * cols.length);
      cols.forEach((c, j) => (d[j * n + c] = 1));
      return { rows: n, cols: cols.length, data: d };
    };
    expect(subspaceSimilarity(e(6, [0, 1, 2]), e(6, [0, 1, 2]), 3)).toEqual([1, 1, 1]);
    expect(subspaceSimilarity(e(6, [0, 1]), e(6, [2, 3]), 2)).toEqual([0, 0]);
    // V₁ = e0, e1, e2; V₂ = e1, e0, e5: top-1 orthogonal, top-2 equal, top-3 share 2 of 3.
    const phi = subspaceSimilarity(e(6, [0, 1, 2]), e(6, [1, 0, 5]), 3);
    expect(phi[0]).toBe(0);
    expect(phi[1]).toBe(1);
    expect(phi[2]).toBeCloseTo(2 / 3, 15);
  });
  it('the φ(i, j) grid has φ(i, i) on its diagonal and equals the definition off it', () => {
    const orth = (n: number, k: number, seed: number) => householderQR(randomCol(n, k, rng(seed))).q;
    const v1 = orth(20, 4, 1);
    const v2 = orth(20, 7, 2);
    const grid = subspaceSimilarityGrid(v1, v2, 4, 7);
    expect([grid.rows, grid.cols]).toEqual([4, 7]);
    const diag = subspaceSimilarity(v1, v2, 4);
    for (let i = 0; i < 4; i++) expect(grid.data[i * 7 + i]).toBeCloseTo(diag[i]!, 14);
    // φ(2, 5) straight from the definition: ‖V₁[:, :2]ᵀ V₂[:, :5]‖²_F / 2.
    const g = matmulTN(v1, v2);
    let s = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 5; b++) s += g.data[b * 4 + a]! ** 2;
    expect(grid.data[1 * 7 + 4]).toBeCloseTo(s / 2, 14);
  });
  it('refuses vectors of different input widths', () => {
    expect(() => subspaceSimilarity({ rows: 3, cols: 1, data: new Float64Array(3) }, { rows: 4, cols: 1, data: new Float64Array(4) }, 1)).toThrow(/input widths differ/);
  });
});
