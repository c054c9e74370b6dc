/**
 * The spectrum of one LoRA update ΔW = s·B·A (B out×r, A r×in) without forming the out×in ΔW.
 *
 * With thin QRs B = Q_B R_B and Aᵀ = Q_A R_A (so A = R_Aᵀ Q_Aᵀ):
 *
 *   ΔW = Q_B · (s · R_B R_Aᵀ) · Q_Aᵀ,   and with the small core C = s·R_B·R_Aᵀ = U Σ Vᵀ,
 *   ΔW = (Q_B U) · Σ · (Q_A V)ᵀ.
 *
 * Q_B U and Q_A V have orthonormal columns, so Σ holds exactly the nonzero singular values of ΔW
 * and Q_A V its right singular vectors: O((out + in)·r²) work and memory instead of O(out·in·r).
 * ‖ΔW‖_F = ‖C‖_F = √Σσ².
 */
import { householderQR, jacobiSvd, matmul, transpose, type ColMatrix } from '../linalg64';

/** A row-major matrix as safetensors stores it (float32 after decoding; float64 is fine too). */
export interface RowMatrix {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
}

export interface LoraSpectrum {
  /** Singular values of s·B·A, descending; length r (zeros past min(out, in, r)). */
  singularValues: Float64Array;
  /** ‖s·B·A‖_F. */
  frobenius: number;
  /**
   * Right singular vectors of s·B·A as columns (in × min(out, in, r)), in the order of the
   * singular values; only when asked for (they are what subspace similarity compares).
   */
  rightVectors?: ColMatrix;
}

/**
 * Singular values (and optionally right singular vectors) of `scaling · B · A`, in float64
 * whatever the inputs' precision. `a` is r×in and `b` out×r, row-major, as PEFT stores
 * `lora_A.weight` and `lora_B.weight`.
 */
export function loraSpectrum(a: RowMatrix, b: RowMatrix, scaling: number, o: { vectors?: boolean } = {}): LoraSpectrum {
  const r = a.rows;
  if (b.cols !== r) throw new Error(`lora_B is ${b.rows}×${b.cols} but lora_A is ${a.rows}×${a.cols}: B needs ${r} columns (the rank).`);
  const out = b.rows;
  const inn = a.cols;
  // Aᵀ column-major is A row-major: the same numbers in the same order.
  const at: ColMatrix = { rows: inn, cols: r, data: Float64Array.from(a.data as ArrayLike<number>) };
  const bc = new Float64Array(out * r);
  for (let i = 0; i < out; i++) for (let l = 0; l < r; l++) bc[l * out + i] = b.data[i * r + l]!;
  const qa = householderQR(at);
  const qb = householderQR({ rows: out, cols: r, data: bc });
  // C = s · R_B · R_Aᵀ  (min(out, r) × min(in, r)).
  const core = matmul(qb.r, transpose(qa.r));
  for (let i = 0; i < core.data.length; i++) core.data[i] = core.data[i]! * scaling;
  const singularValues = new Float64Array(r);
  let frob2 = 0;
  for (const v of core.data) frob2 += v * v;
  let rightCore: ColMatrix;
  if (core.rows >= core.cols) {
    const svd = jacobiSvd(core);
    singularValues.set(svd.s);
    rightCore = svd.v;
  } else {
    // A wide core (out < r ≤ in): Cᵀ = V Σ Uᵀ, so C's right vectors are Cᵀ's left ones.
    const svd = jacobiSvd(transpose(core));
    singularValues.set(svd.s);
    rightCore = svd.u;
  }
  const result: LoraSpectrum = { singularValues, frobenius: Math.sqrt(frob2) };
  if (o.vectors) result.rightVectors = matmul(qa.q, rightCore);
  return result;
}

/**
 * The effective rank at an energy fraction: the smallest k with σ₁² + … + σ_k² ≥ fraction·Σσ²
 * (0 for ΔW = 0). At 0.9 it says how many directions carry 90 % of ‖ΔW‖_F².
 */
export function effectiveRank(singularValues: ArrayLike<number>, fraction: number): number {
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) total += singularValues[i]! ** 2;
  if (total === 0) return 0;
  let acc = 0;
  for (let i = 0; i < singularValues.length; i++) {
    acc += singularValues[i]! ** 2;
    // A relative slack of 1e-12 keeps a spectrum whose tail is exactly 0 from needing one more.
    if (acc >= fraction * total * (1 - 1e-12)) return i + 1;
  }
  return singularValues.length;
}

/**
 * Subspace similarity of Hu et al. (2021, eq. 4) on the diagonal i = j:
 * φ(i) = ‖V₁[:, :i]ᵀ V₂[:, :i]‖²_F / i for i = 1 … k, with V₁, V₂ right singular vectors
 * (columns, same input dimension). 1: the top-i subspaces coincide; 0: they are orthogonal.
 * From G = V₁ᵀV₂ (k₁×k₂) the sum over its top-left i×i block grows by one row and one column
 * per i.
 */
export function subspaceSimilarity(v1: ColMatrix, v2: ColMatrix, k: number): number[] {
  const kk = Math.min(k, v1.cols, v2.cols);
  const g = overlaps(v1, v2, kk, kk).data;
  const phi: number[] = [];
  let sum = 0;
  for (let i = 0; i < kk; i++) {
    // New row i (columns 0 … i) and new column i (rows 0 … i−1) of the block.
    for (let j = 0; j <= i; j++) sum += g[j * kk + i]! ** 2;
    for (let a = 0; a < i; a++) sum += g[i * kk + a]! ** 2;
    phi.push(sum / (i + 1));
  }
  return phi;
}

/** G = V₁[:, :k₁]ᵀ V₂[:, :k₂] (k₁×k₂, column-major): the cosines between the two sets of directions. */
function overlaps(v1: ColMatrix, v2: ColMatrix, k1: number, k2: number): ColMatrix {
  if (v1.rows !== v2.rows) throw new Error(`The right singular vectors have ${v1.rows} and ${v2.rows} entries: the modules' input widths differ.`);
  const m = v1.rows;
  const g = new Float64Array(k1 * k2);
  for (let j = 0; j < k2; j++) {
    for (let i = 0; i < k1; i++) {
      let s = 0;
      for (let t = 0; t < m; t++) s += v1.data[i * m + t]! * v2.data[j * m + t]!;
      g[j * k1 + i] = s;
    }
  }
  return { rows: k1, cols: k2, data: g };
}

/**
 * The whole grid of Hu et al.'s Figure 3: φ(i, j) = ‖V₁[:, :i]ᵀ V₂[:, :j]‖²_F / min(i, j) for
 * i = 1 … k₁, j = 1 … k₂, as rows of a row-major k₁×k₂ array. Built from 2-D prefix sums of G².
 */
export function subspaceSimilarityGrid(v1: ColMatrix, v2: ColMatrix, k1: number, k2: number): { rows: number; cols: number; data: Float64Array } {
  const r = Math.min(k1, v1.cols);
  const c = Math.min(k2, v2.cols);
  const g = overlaps(v1, v2, r, c).data;
  const out = new Float64Array(r * c);
  // P(i, j) = Σ_{a<i, b<j} G[a, b]² = P(i−1, j) + (row i−1 of G², first j entries).
  const rowSum = new Float64Array(c);
  for (let i = 0; i < r; i++) {
    let acc = 0;
    for (let j = 0; j < c; j++) {
      acc += g[j * r + i]! ** 2;
      rowSum[j] = rowSum[j]! + acc;
      out[i * c + j] = rowSum[j]! / Math.min(i + 1, j + 1);
    }
  }
  return { rows: r, cols: c, data: out };
}
