/**
 * The engine's float64 linear algebra on the CPU, one place for every exact, one-off
 * factorisation (the in-graph float32 SVD the chapters run is demos/svd.ts): the adapter
 * inspector's spectra, PiSSA's initialisation, add_weighted_adapter's `svd` combination.
 * Kernels work on column-major `Float64Array`s (column j of an m×n matrix is
 * `data[j·m … j·m + m)`), so every inner loop walks contiguous memory:
 *
 * - `householderQR`: thin QR, X = Q·R with Q m×k orthonormal and R k×n upper triangular,
 *   k = min(m, n). Householder reflections keep Q orthogonal to rounding (Gram–Schmidt would not).
 * - `jacobiSvd`: one-sided Jacobi (Hestenes), G = U·Σ·Vᵀ. It orthogonalises G's columns by plane
 *   rotations applied on the right, so it computes small singular values to high *relative*
 *   accuracy; at the r×r sizes of a LoRA core (r ≤ a few hundred) its O(r³) per sweep is cheap.
 * - `svd64` (row-major in and out) and `lowRankSvd` (the SVD of a product of thin factors P·Q,
 *   never forming it) are built on those two.
 * - `symmetricEigenvectors`: the eigenvectors of a small symmetric matrix (Householder and
 *   implicit QL), which choose the in-graph SVD's block steps (demos/svd.ts, SVD.md).
 */

/** A column-major float64 matrix. */
export interface ColMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface ThinQR {
  /** m×k, orthonormal columns. */
  q: ColMatrix;
  /** k×n, upper triangular (entries below the diagonal are 0). */
  r: ColMatrix;
}

/** Thin Householder QR of an m×n column-major matrix (not modified). */
export function householderQR(x: ColMatrix): ThinQR {
  const { rows: m, cols: n } = x;
  const k = Math.min(m, n);
  const a = Float64Array.from(x.data);
  // Reflector j is H_j = I − β_j v_j v_jᵀ, v_j zero above row j; only rows j … m−1 are stored.
  const vs: Float64Array[] = [];
  const betas = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const col = j * m;
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += a[col + i]! * a[col + i]!;
    const norm = Math.sqrt(norm2);
    const x0 = a[col + j]!;
    // α = −sign(x₀)·‖x‖ so that v₀ = x₀ − α never cancels.
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = a[col + i]!;
    v[0] = x0 - alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i]! * v[i]!;
    vs.push(v);
    if (vv === 0) {
      betas[j] = 0; // the column is already zero below the diagonal: H_j = I
      continue;
    }
    const beta = 2 / vv;
    betas[j] = beta;
    // Column j becomes (α, 0, …, 0); the columns right of it get H_j·a_c = a_c − β (vᵀa_c) v.
    a[col + j] = alpha;
    for (let i = j + 1; i < m; i++) a[col + i] = 0;
    for (let c = j + 1; c < n; c++) {
      const cc = c * m + j;
      let w = 0;
      for (let i = 0; i < v.length; i++) w += v[i]! * a[cc + i]!;
      w *= beta;
      if (w !== 0) for (let i = 0; i < v.length; i++) a[cc + i] = a[cc + i]! - w * v[i]!;
    }
  }
  const r = new Float64Array(k * n);
  for (let c = 0; c < n; c++) for (let i = 0; i <= Math.min(c, k - 1); i++) r[c * k + i] = a[c * m + i]!;
  // Q = H_0 H_1 … H_{k−1} [I_k; 0], applied right to left; H_j leaves rows < j alone, and
  // columns < j of the partial product are still unit vectors there, so only columns ≥ j change.
  const q = new Float64Array(m * k);
  for (let c = 0; c < k; c++) q[c * m + c] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const beta = betas[j]!;
    if (beta === 0) continue;
    const v = vs[j]!;
    for (let c = j; c < k; c++) {
      const cc = c * m + j;
      let w = 0;
      for (let i = 0; i < v.length; i++) w += v[i]! * q[cc + i]!;
      w *= beta;
      if (w !== 0) for (let i = 0; i < v.length; i++) q[cc + i] = q[cc + i]! - w * v[i]!;
    }
  }
  return { q: { rows: m, cols: k, data: q }, r: { rows: k, cols: n, data: r } };
}

export interface JacobiSvd {
  /** min(m, n) singular values, descending. */
  s: Float64Array;
  /** n×n: right singular vectors as columns, in the order of `s`. */
  v: ColMatrix;
  /** m×n: left singular vectors as columns (a zero column where σ = 0). */
  u: ColMatrix;
}

/** Columns x = a[xi … xi + len), y = a[yi …) ← (c·x − s·y, s·x + c·y): one plane rotation. */
function rotateColumns(a: Float64Array, xi: number, yi: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const x = a[xi + i]!;
    const y = a[yi + i]!;
    a[xi + i] = c * x - s * y;
    a[yi + i] = s * x + c * y;
  }
}

/** Largest number of sweeps: Jacobi converges quadratically, 6–10 sweeps are typical. */
const MAX_SWEEPS = 60;

/**
 * Singular values and right singular vectors of an m×n column-major matrix with m ≥ n (a wide
 * one is the caller's to transpose). Each rotation zeroes the inner product of two columns
 * g_p, g_q of G·V; when all pairs satisfy |g_pᵀg_q| ≤ ε‖g_p‖‖g_q‖ the columns are orthogonal,
 * σ_j = ‖g_j‖ and V holds the accumulated rotations. `tolerance` is that ε (machine epsilon by
 * default; PiSSA's and the svd combination's results were fixed with 1e-15).
 */
export function jacobiSvd(g: ColMatrix, tolerance = 2.220446049250313e-16): JacobiSvd {
  const { rows: m, cols: n } = g;
  if (m < n) throw new Error(`jacobiSvd needs rows ≥ columns, got ${m}×${n}.`);
  const u = Float64Array.from(g.data);
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  const eps = tolerance;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const up = p * m;
        const uq = q * m;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = u[up + i]!;
          const y = u[uq + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that diagonalises [[α, γ], [γ, β]]: ζ = (β − α)/(2γ), t = tan θ the
        // smaller root of t² + 2ζt − 1 = 0.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotateColumns(u, up, uq, m, c, s);
        rotateColumns(v, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += u[j * m + i]! * u[j * m + i]!;
    norms[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => norms[b]! - norms[a]!);
  const s = new Float64Array(n);
  const vs = new Float64Array(n * n);
  const us = new Float64Array(m * n);
  order.forEach((j, k) => {
    s[k] = norms[j]!;
    vs.set(v.subarray(j * n, j * n + n), k * n);
    // u_k = (G·V)_j / σ_k: the rotated column, normalised.
    if (norms[j]! > 0) for (let i = 0; i < m; i++) us[k * m + i] = u[j * m + i]! / norms[j]!;
  });
  return { s, v: { rows: n, cols: n, data: vs }, u: { rows: m, cols: n, data: us } };
}

/** C = X·Y for column-major X (m×k) and Y (k×n). */
export function matmul(x: ColMatrix, y: ColMatrix): ColMatrix {
  if (x.cols !== y.rows) throw new Error(`matmul: ${x.rows}×${x.cols} · ${y.rows}×${y.cols}.`);
  const { rows: m, cols: k } = x;
  const n = y.cols;
  const c = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    for (let l = 0; l < k; l++) {
      const ylj = y.data[j * k + l]!;
      if (ylj === 0) continue;
      const xl = l * m;
      const cj = j * m;
      for (let i = 0; i < m; i++) c[cj + i] = c[cj + i]! + x.data[xl + i]! * ylj;
    }
  }
  return { rows: m, cols: n, data: c };
}

/** C = Xᵀ·Y for column-major X (m×k) and Y (m×n): k×n, each entry a dot product of columns. */
export function matmulTN(x: ColMatrix, y: ColMatrix): ColMatrix {
  if (x.rows !== y.rows) throw new Error(`matmulTN: (${x.rows}×${x.cols})ᵀ · ${y.rows}×${y.cols}.`);
  const m = x.rows;
  const k = x.cols;
  const n = y.cols;
  const c = new Float64Array(k * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      const xi = i * m;
      const yj = j * m;
      for (let t = 0; t < m; t++) s += x.data[xi + t]! * y.data[yj + t]!;
      c[j * k + i] = s;
    }
  }
  return { rows: k, cols: n, data: c };
}

/** The transpose, still column-major. */
export function transpose(x: ColMatrix): ColMatrix {
  const out = new Float64Array(x.rows * x.cols);
  for (let j = 0; j < x.cols; j++) for (let i = 0; i < x.rows; i++) out[i * x.cols + j] = x.data[j * x.rows + i]!;
  return { rows: x.cols, cols: x.rows, data: out };
}

/** Row-major m×n → column-major. */
function fromRowMajor(x: ArrayLike<number>, rows: number, cols: number): ColMatrix {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = x[i * cols + j]!;
  return { rows, cols, data };
}

/** Column-major → row-major data. */
function toRowMajor(x: ColMatrix): Float64Array {
  const out = new Float64Array(x.rows * x.cols);
  for (let j = 0; j < x.cols; j++) for (let i = 0; i < x.rows; i++) out[i * x.cols + j] = x.data[j * x.rows + i]!;
  return out;
}

export interface Svd64 {
  /** left singular vectors, rows × k, row-major */
  u: Float64Array;
  /** singular values, descending, k = min(rows, cols) */
  s: Float64Array;
  /** right singular vectors transposed, k × cols, row-major */
  vt: Float64Array;
  k: number;
}

/**
 * X (rows × cols, row-major) = U diag(s) Vᵀ, thin, for initialisations that need a weight's top
 * singular triples once (PiSSA). A wide X is factored as its transpose: Xᵀ = U'ΣV'ᵀ ⇒ X = V'ΣU'ᵀ.
 */
export function svd64(x: ArrayLike<number>, rows: number, cols: number): Svd64 {
  const wide = rows < cols;
  const g = fromRowMajor(x, rows, cols);
  const { u, s, v } = jacobiSvd(wide ? transpose(g) : g, 1e-15);
  const k = s.length;
  // Unwide: U (rows×k) = V of the transpose; Vᵀ (k×cols) = Uᵀ of it.
  const left = wide ? v : u;
  const right = wide ? u : v;
  return { u: toRowMajor(left), s, vt: toRowMajor(transpose(right)), k };
}

/** A float64 row-major matrix (add_weighted_adapter's factors). */
export interface Mat64 {
  rows: number;
  cols: number;
  data: Float64Array;
}

export const mat64 = (rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Mat64 => ({ rows, cols, data });

/**
 * The SVD of a matrix given as a product of thin factors, M = P·Q with P (m×k), Q (k×n), k ≪ m, n
 * — the shape of every sum of LoRA updates Σ wᵢsᵢBᵢAᵢ = [w₁s₁B₁ …]·[A₁; …] — without forming M:
 *   P = Q_P R_P,  Qᵀ = Q_Q R_Q,  R_P R_Qᵀ = U_c Σ V_cᵀ,  M = (Q_P U_c) Σ (Q_Q V_c)ᵀ.
 * Exact in exact arithmetic. Singular vectors' signs are arbitrary (as in LAPACK): each pair is
 * flipped so that the core factorisation's right vector has its largest-magnitude entry positive,
 * which makes the result deterministic. Returns U (m×t), s (t, descending), V (n×t), row-major.
 */
export function lowRankSvd(p: Mat64, q: Mat64): { u: Mat64; s: Float64Array; v: Mat64 } {
  if (p.cols !== q.rows) throw new Error(`P is ${p.rows}×${p.cols} and Q is ${q.rows}×${q.cols}: they do not multiply.`);
  const qrP = householderQR(fromRowMajor(p.data, p.rows, p.cols));
  const qrQ = householderQR(transpose(fromRowMajor(q.data, q.rows, q.cols)));
  const core = matmul(qrP.r, transpose(qrQ.r)); // t_P × t_Q
  const tall = core.rows >= core.cols;
  const svd = jacobiSvd(tall ? core : transpose(core), 1e-15);
  const t = svd.s.length;
  // Deterministic signs: the Jacobi right vector's largest-magnitude entry positive, with its left vector.
  for (let j = 0; j < t; j++) {
    const { v: jv, u: ju } = svd;
    let big = 0;
    for (let i = 0; i < jv.rows; i++) if (Math.abs(jv.data[j * jv.rows + i]!) > Math.abs(big)) big = jv.data[j * jv.rows + i]!;
    if (big < 0) {
      for (let i = 0; i < jv.rows; i++) jv.data[j * jv.rows + i] = -jv.data[j * jv.rows + i]!;
      for (let i = 0; i < ju.rows; i++) ju.data[j * ju.rows + i] = -ju.data[j * ju.rows + i]!;
    }
  }
  // For a wide core, SVD(coreᵀ) = U'SV'ᵀ gives core = V'SU'ᵀ.
  const uc = tall ? svd.u : svd.v;
  const vc = tall ? svd.v : svd.u;
  const take = (x: ColMatrix): ColMatrix => ({ rows: x.rows, cols: t, data: x.data.slice(0, x.rows * t) });
  const u = matmul(qrP.q, take(uc));
  const v = matmul(qrQ.q, take(vc));
  return { u: mat64(u.rows, t, toRowMajor(u)), s: svd.s, v: mat64(v.rows, t, toRowMajor(v)) };
}

/**
 * Eigenvectors of the symmetric n×n matrix `a` (row-major, float64; not changed), as the rows of
 * the returned n×n matrix, in no particular order: Householder reduction to tridiagonal form and
 * the implicit QL algorithm (tred2 and tql2 of EISPACK, in JAMA's formulation), in float64.
 * Null when QL does not converge or the result is not finite (a non-finite input). O(n³):
 * ~1.3 ms at n = 64, ~65 ms at n = 256 (Node, 1 thread). Row-major (the Gram matrices of
 * demos/svd.ts's block steps are symmetric, so their layout is either).
 */
export function symmetricEigenvectors(a: Float64Array, n: number): Float64Array | null {
  // v holds the orthogonal transformation V transposed (v[j·n + i] = V_ij), so that every inner
  // loop below walks a row of v (EISPACK's loops walk columns); d, e: the tridiagonal.
  // A is symmetric, so its upper triangle in v is its lower one in EISPACK's indexing.
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = v[j * n + (n - 1)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + (i - 1)]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      // The Householder vector that zeroes row i left of its subdiagonal.
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A·u on the leading i×i block (stored in v as above).
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        g = e[j]! + v[j * n + j]! * f;
        for (let k = j + 1; k < i; k++) {
          g += v[j * n + k]! * d[k]!;
          e[k]! += v[j * n + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      // A ← A − u·eᵀ − e·uᵀ on that block.
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) v[j * n + k]! -= f * e[k]! + g * d[k]!;
        d[j] = v[j * n + (i - 1)]!;
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + (n - 1)] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k]! * v[j * n + k]!;
        for (let k = 0; k <= i; k++) v[j * n + k]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + (n - 1)]!;
    v[j * n + (n - 1)] = 0;
  }
  v[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;

  // QL rotates pairs of V's columns: rows of vt, contiguous.
  const vt = v;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 || !Number.isFinite(tst1)) return null;
        // The implicit shift from the leading 2×2 block.
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        // The QL sweep from m up to l, as plane rotations.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.sqrt(p * p + e[i]! * e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const a0 = i * n;
          const a1 = a0 + n;
          for (let k = 0; k < n; k++) {
            const x = vt[a1 + k]!;
            const y = vt[a0 + k]!;
            vt[a1 + k] = s * y + c * x;
            vt[a0 + k] = c * y - s * x;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  for (const x of vt) if (!Number.isFinite(x)) return null;
  return vt;
}
