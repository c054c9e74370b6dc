/**
 * The SVD of a matrix given as a product of thin factors, M = P·Q with P (m×k), Q (k×n) and
 * k ≪ m, n — the shape of every sum of LoRA updates Σ wᵢ sᵢ BᵢAᵢ = [w₁s₁B₁ … ]·[A₁; …] — in
 * float64, without forming the m×n matrix:
 *
 *   P = Q_P R_P,  Qᵀ = Q_Q R_Q          (thin Householder QR)
 *   M = Q_P (R_P R_Qᵀ) Q_Qᵀ              (a k×k core)
 *   R_P R_Qᵀ = U_c Σ V_cᵀ                (one-sided Jacobi)
 *   M = (Q_P U_c) Σ (Q_Q V_c)ᵀ.
 *
 * Exact in exact arithmetic; the singular values beyond rank k are exactly zero. Signs of the
 * singular vectors are arbitrary (as in LAPACK): each right singular vector is flipped so that its
 * entry of largest magnitude is positive, to make the result deterministic.
 */

/** A float64 row-major matrix. */
export interface Mat64 {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const mat64 = (rows: number, cols: number, data = new Float64Array(rows * cols)): Mat64 => ({ rows, cols, data });

function transpose(a: Mat64): Mat64 {
  const t = mat64(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return t;
}

function matmul(a: Mat64, b: Mat64): Mat64 {
  const c = mat64(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const v = a.data[i * a.cols + p]!;
      if (v === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j]! += v * b.data[p * b.cols + j]!;
    }
  }
  return c;
}

/** Thin QR by Householder reflections: A (m×n) = Q (m×t) · R (t×n), t = min(m, n). */
export function thinQr(a: Mat64): { q: Mat64; r: Mat64 } {
  const { rows: m, cols: n } = a;
  const t = Math.min(m, n);
  const w = Float64Array.from(a.data);
  const vs: Float64Array[] = [];
  for (let k = 0; k < t; k++) {
    // v = x + sign(x₀)‖x‖e₀ on column k below the diagonal; H = I − 2vvᵀ/vᵀv.
    let norm = 0;
    for (let i = k; i < m; i++) norm += w[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = w[i * n + k]!;
    v[0]! += (w[k * n + k]! >= 0 ? 1 : -1) * norm;
    let vv = 0;
    for (const x of v) vv += x * x;
    vs.push(v);
    if (vv === 0) continue;
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * w[i * n + j]!;
      const c = (2 * dot) / vv;
      for (let i = k; i < m; i++) w[i * n + j]! -= c * v[i - k]!;
    }
  }
  const r = mat64(t, n);
  for (let i = 0; i < t; i++) for (let j = i; j < n; j++) r.data[i * n + j] = w[i * n + j]!;
  // Q = H₀ H₁ … H_{t−1} applied to the first t columns of the identity.
  const q = mat64(m, t);
  for (let i = 0; i < t; i++) q.data[i * t + i] = 1;
  for (let k = t - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv === 0) continue;
    for (let j = 0; j < t; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q.data[i * t + j]!;
      const c = (2 * dot) / vv;
      for (let i = k; i < m; i++) q.data[i * t + j]! -= c * v[i - k]!;
    }
  }
  return { q, r };
}

/**
 * SVD of a small matrix (m ≥ n) by one-sided Jacobi (Hestenes): rotate column pairs of A·V until
 * all are orthogonal; then σⱼ = ‖column j‖ and uⱼ = column j / σⱼ (0 where σⱼ = 0).
 */
function jacobiSvd(a: Mat64): { u: Mat64; s: Float64Array; v: Mat64 } {
  const { rows: m, cols: n } = a;
  const w = Float64Array.from(a.data);
  const v = mat64(n, n);
  for (let i = 0; i < n; i++) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[i * n + p]!;
          const y = w[i * n + q]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that zeroes the (p, q) entry of the 2×2 Gram matrix [[α, γ], [γ, β]].
        const zeta = (beta - alpha) / (2 * gamma);
        const tan = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cos = 1 / Math.sqrt(1 + tan * tan);
        const sin = cos * tan;
        for (let i = 0; i < m; i++) {
          const x = w[i * n + p]!;
          const y = w[i * n + q]!;
          w[i * n + p] = cos * x - sin * y;
          w[i * n + q] = sin * x + cos * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v.data[i * n + p]!;
          const y = v.data[i * n + q]!;
          v.data[i * n + p] = cos * x - sin * y;
          v.data[i * n + q] = sin * x + cos * y;
        }
      }
    }
    if (!rotated) break;
  }
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += w[i * n + j]! ** 2;
    s[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => s[y]! - s[x]!);
  const u = mat64(m, n);
  const vSorted = mat64(n, n);
  const sSorted = new Float64Array(n);
  order.forEach((j, k) => {
    sSorted[k] = s[j]!;
    // Deterministic sign: the largest-magnitude entry of each right singular vector is positive.
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v.data[i * n + j]!) > Math.abs(big)) big = v.data[i * n + j]!;
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vSorted.data[i * n + k] = sign * v.data[i * n + j]!;
    for (let i = 0; i < m; i++) u.data[i * n + k] = s[j]! > 0 ? (sign * w[i * n + j]!) / s[j]! : 0;
  });
  return { u, s: sSorted, v: vSorted };
}

/**
 * SVD of M = P·Q: U (m×t), s (t, descending), V (n×t) with t = min(rank bound k, m, n), so that
 * M = U diag(s) Vᵀ.
 */
export function lowRankSvd(p: Mat64, q: Mat64): { u: Mat64; s: Float64Array; v: Mat64 } {
  if (p.cols !== q.rows) throw new Error(`P is ${p.rows}×${p.cols} and Q is ${q.rows}×${q.cols}: they do not multiply.`);
  const { q: qp, r: rp } = thinQr(p);
  const { q: qq, r: rq } = thinQr(transpose(q));
  const core = matmul(rp, transpose(rq)); // (t_P × t_Q)
  const tall = core.rows >= core.cols;
  const svd = jacobiSvd(tall ? core : transpose(core));
  // For a wide core, SVD(coreᵀ) = U' S V'ᵀ gives core = V' S U'ᵀ.
  const [uc, vc] = tall ? [svd.u, svd.v] : [svd.v, svd.u];
  return { u: matmul(qp, uc), s: svd.s, v: matmul(qq, vc) };
}
