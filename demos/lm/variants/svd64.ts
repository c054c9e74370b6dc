/**
 * A thin SVD in float64 on the CPU (one-sided Jacobi, Hestenes 1958), for initialisations that
 * need a matrix's top singular triples once (PiSSA) on matrices of a few hundred rows: exact to
 * float64 rounding, no graph, no session. (demos/svd.ts is the in-graph float32 SVD the chapters
 * run; this one is the reference-grade one-off.)
 *
 * One-sided Jacobi on an m × n matrix X with m ≥ n: rotate pairs of columns (p, q) until every
 * pair is orthogonal; the rotation that zeroes xₚ·x_q has
 *   ζ = (‖x_q‖² − ‖xₚ‖²) / (2 xₚ·x_q),  t = sign(ζ) / (|ζ| + √(1 + ζ²)),  c = 1/√(1 + t²),  s = c·t,
 * and the same rotations applied to V = I accumulate X = (X V) Vᵀ. At the end the columns of X V
 * are σⱼ uⱼ, so σⱼ = their norms and uⱼ = column / σⱼ.
 */

export interface Svd64 {
  /** left singular vectors, rows × k, row-major */
  u: Float64Array;
  /** singular values, descending, k = min(rows, cols) */
  s: Float64Array;
  /** right singular vectors transposed, k × cols, row-major */
  vt: Float64Array;
  k: number;
}

const SWEEPS = 60;

/** X (rows × cols, row-major) = U diag(s) Vᵀ. */
export function svd64(x: ArrayLike<number>, rows: number, cols: number): Svd64 {
  if (rows < cols) {
    // Xᵀ = U' Σ V'ᵀ  ⇒  X = V' Σ U'ᵀ
    const t = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j]!;
    const r = svd64(t, cols, rows);
    const u = new Float64Array(rows * r.k);
    const vt = new Float64Array(r.k * cols);
    for (let i = 0; i < rows; i++) for (let k = 0; k < r.k; k++) u[i * r.k + k] = r.vt[k * rows + i]!;
    for (let k = 0; k < r.k; k++) for (let j = 0; j < cols; j++) vt[k * cols + j] = r.u[j * r.k + k]!;
    return { u, s: r.s, vt, k: r.k };
  }
  const m = rows;
  const n = cols;
  // Columns stored contiguously: a[j] is column j (length m), v[j] column j of V (length n).
  const a = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => x[i * n + j]!));
  const v = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const ap = a[p]!;
        const aq = a[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += ap[i]! * ap[i]!;
          beta += aq[i]! * aq[i]!;
          gamma += ap[i]! * aq[i]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const xp = ap[i]!;
          const xq = aq[i]!;
          ap[i] = c * xp - s * xq;
          aq[i] = s * xp + c * xq;
        }
        const vp = v[p]!;
        const vq = v[q]!;
        for (let i = 0; i < n; i++) {
          const xp = vp[i]!;
          const xq = vq[i]!;
          vp[i] = c * xp - s * xq;
          vq[i] = s * xp + c * xq;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = a.map((col) => Math.sqrt(col.reduce((acc, y) => acc + y * y, 0)));
  const order = [...norms.keys()].sort((i, j) => norms[j]! - norms[i]!);
  const k = n;
  const u = new Float64Array(m * k);
  const s = new Float64Array(k);
  const vt = new Float64Array(k * n);
  order.forEach((j, kk) => {
    const sigma = norms[j]!;
    s[kk] = sigma;
    for (let i = 0; i < m; i++) u[i * k + kk] = sigma > 0 ? a[j]![i]! / sigma : 0;
    for (let i = 0; i < n; i++) vt[kk * n + i] = v[j]![i]!;
  });
  return { u, s, vt, k };
}
