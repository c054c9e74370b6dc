/**
 * Thin SVD by one-sided (Hestenes) Jacobi, as three graph families (see demos/SVD.md).
 *
 * Notation: the input M is (m, n); p = min(m, n), q = max(m, n). The rows to orthogonalise are
 * R = Mᵀ (p, q) when m ≥ n, else R = M (p, q), so there are always p of them and p is the small
 * dimension. The state is one tensor W = [R | I_p] of shape (P, q + p), P = p rounded up to even
 * (a zero row pads odd p). Every rotation J acts on whole rows, so W stays [J·R | J]: the left
 * block converges to Σ·Qᵀ (orthogonal rows), the right block accumulates the rotations.
 *
 * - init:   W = [R·2^e | I_p] (+ zero row), with 2^e scaling max|M| into (½, 1] exactly, so
 *           squares neither overflow nor underflow in float32.
 * - rounds: K rounds of the round-robin ordering, each rotating the P/2 disjoint row pairs
 *           (row i of the top half with row i of the bottom half) as batched elementwise ops,
 *           then permuting rows with one Gather so that P − 1 rounds meet every pair once.
 *           Σ t² of all rotations is accumulated for the convergence check (read once a sweep).
 * - finish: σ = row norms, sorted by TopK; Q rows = R-block rows / σ (0 where σ = 0);
 *           for m ≥ n: U = Qᵀ-block, Vᵀ = J; for m < n: U = Jᵀ, Vᵀ = Q-block.
 */
import { GraphBuilder } from '../onnx/builder';

export type SvdShape = { m: number; n: number };

/** The sizes every SVD graph of an (m, n) input shares. */
export function svdDims({ m, n }: SvdShape) {
  const p = Math.min(m, n);
  const q = Math.max(m, n);
  const P = p + (p % 2);
  return { p, q, P, L: q + p, transposed: m >= n };
}

/**
 * A pair is rotated only while |γ| > TOL·‖x‖·‖y‖, i.e. while the cosine between the two rows
 * exceeds TOL. Float32 dot products of length ≤ 512 are accurate to ~1e-7 relative, so 1e-6 is
 * above rounding noise (the sweeps end) and far below the 1e-4 orthogonality asked of U.
 */
export const JACOBI_TOL = 1e-6;

/**
 * The round-robin (“caterpillar”) move: new row j takes old row perm[j]. Row 0 stays, the others
 * walk one place round the circle top[1..h−1] → bottom[h−1..0] → top[1], so P − 1 moves pair every
 * row with every other exactly once.
 */
export function roundRobinPermutation(P: number): number[] {
  const h = P / 2;
  if (h === 1) return [0, 1];
  const perm = new Array<number>(P);
  perm[0] = 0;
  perm[1] = h; // bottom[0] moves up to top[1]
  for (let k = 2; k < h; k++) perm[k] = k - 1; // top shifts right
  for (let k = 0; k < h - 1; k++) perm[h + k] = h + k + 1; // bottom shifts left
  perm[P - 1] = h - 1; // top's last drops to bottom's end
  return perm;
}

export const svdInitKey = ({ m, n }: SvdShape): string => `svd-init-${m}x${n}`;

export function buildSvdInit(shape: SvdShape): GraphBuilder {
  const { m, n } = shape;
  const { p, q, P, L, transposed } = svdDims(shape);
  const g = new GraphBuilder('svd_init');
  const x = g.input('m', [m, n]);
  // scale = 2^(−⌈log₂ max|M|⌉): exact in float32; 1 for the zero matrix.
  const amax = g.node('ReduceMax', [g.abs(x)], { keepdims: 0 });
  const e = g.node('Ceil', [g.div(g.node('Log', [amax]), g.scalar(Math.LN2))]);
  const pow = g.node('Pow', [g.scalar(2), g.neg(e)]);
  const scale = g.where(g.greater(amax, g.scalar(0)), pow, g.scalar(1));
  const r = g.mul(transposed ? g.transpose(x, [1, 0]) : x, scale); // (p, q)
  const eye = new Float32Array(p * p);
  for (let i = 0; i < p; i++) eye[i * p + i] = 1;
  let w = g.concat([r, g.constant(eye, [p, p], 'eye')], 1); // [R | I]
  if (P > p) w = g.concat([w, g.constant(new Float32Array(L), [1, L], 'pad')], 0);
  g.output(w, 'w', [P, L]);
  g.output(g.reshape(scale, [1]), 'scale', [1]);
  return g;
}

/** Rounds per graph: ~40 nodes a round, so ~500 nodes a session (session creation ~0.3 s). */
export function roundsPerRun(P: number): number {
  return Math.max(1, Math.min(P - 1, 12));
}

export const svdRoundsKey = (shape: SvdShape, rounds: number): string => {
  const { P, L } = svdDims(shape);
  return `svd-jacobi-${rounds}rounds-${P}x${L}`;
};

/**
 * `rounds` Jacobi rounds on W (P, L). Inputs w, acc (4); outputs w_out, acc_out = acc + Σ t²
 * (acc is 4 floats because WebGPU rejects buffers under 16 bytes).
 */
export function buildSvdRounds(shape: SvdShape, rounds: number): GraphBuilder {
  const { q, P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_jacobi_rounds');
  let w = g.input('w', [P, L]);
  let acc = g.input('acc', [4]);
  const zero = g.scalar(0);
  const one = g.scalar(1);
  const minusOne = g.scalar(-1);
  const tol = g.scalar(JACOBI_TOL);
  const perm = g.int64(roundRobinPermutation(P));
  for (let i = 0; i < rounds; i++) {
    const [x, y] = g.nodeN('Split', [w], 2, { axis: 0 }) as [string, string]; // (P/2, L) each
    // The 2×2 Gram of each pair from the R block: α = ‖x‖², β = ‖y‖², γ = x·y.
    const xr = g.slice(x, [0], [q], [1]);
    const yr = g.slice(y, [0], [q], [1]);
    const alpha = g.reduceSumSquare(xr, [1], true);
    const beta = g.reduceSumSquare(yr, [1], true);
    const gamma = g.reduceSum(g.mul(xr, yr), [1], true);
    // Rotate while cos∠(x, y) > tol; norms first so nothing under/overflows.
    const rotate = g.greater(g.abs(gamma), g.mul(g.mul(g.sqrt(alpha), g.sqrt(beta)), tol));
    // Rutishauser: ζ = (β − α)/(2γ), t = sign(ζ)/(|ζ| + √(1 + ζ²)) (the rotation with |θ| ≤ π/4;
    // ζ = ±∞ gives t = 0). sign via Where, since Sign runs on the CPU. Pairs not rotated
    // (including γ = 0, where ζ is NaN) get t = 0 through the last Where.
    const zeta = g.div(g.sub(beta, alpha), g.add(gamma, gamma));
    const sign = g.where(g.less(zeta, zero), minusOne, one);
    const tRaw = g.div(sign, g.add(g.abs(zeta), g.sqrt(g.add(one, g.mul(zeta, zeta)))));
    const t = g.where(rotate, tRaw, zero);
    // Applied in Rutishauser's form x' = x − s·(y + τ·x), y' = y + s·(x − τ·y), τ = tan(θ/2):
    // for small t, c = 1/√(1 + t²) rounds to 1 in float32 and c·x − s·y would grow the rows by
    // t²/2 per rotation, every time (measured: +1e-5 relative on σ over a 128×128 run). Here the
    // c − 1 = −s·τ part is computed on its own and the rounding is unbiased.
    const root = g.sqrt(g.add(one, g.mul(t, t))); // √(1 + t²)
    const s = g.div(t, root); // sin θ
    const tau = g.div(t, g.add(one, root)); // tan(θ/2) = t / (1 + √(1 + t²))
    const x2 = g.sub(x, g.mul(s, g.add(y, g.mul(tau, x))));
    const y2 = g.add(y, g.mul(s, g.sub(x, g.mul(tau, y))));
    w = g.node('Gather', [g.concat([x2, y2], 0), perm], { axis: 0 });
    acc = g.add(acc, g.reduceSumSquare(t, undefined, false));
  }
  g.output(w, 'w_out', [P, L]);
  g.output(acc, 'acc_out', [4]);
  return g;
}

export const svdFinishKey = ({ m, n }: SvdShape): string => `svd-finish-${m}x${n}`;

/** σ, U, Vᵀ from the converged W. Inputs w (P, L), scale (1); outputs u (m, p), s (p), vt (p, n). */
export function buildSvdFinish(shape: SvdShape): GraphBuilder {
  const { m, n } = shape;
  const { p, q, P, L, transposed } = svdDims(shape);
  const g = new GraphBuilder('svd_finish');
  const w = g.input('w', [P, L]);
  const scale = g.input('scale', [1]);
  const r = g.slice(w, [0], [q], [1]); // Σ·Qᵀ rows, (P, q)
  const j = g.slice(w, [q], [L], [1]); // accumulated rotations, (P, p)
  const sigma = g.sqrt(g.reduceSumSquare(r, [1], false)); // (P)
  // The padding row is the one whose rotation row is 0 (it never rotates); real rows have norm 1.
  const real = g.greater(g.reduceSumSquare(j, [1], false), g.scalar(0.5));
  const key = g.where(real, sigma, g.scalar(-1));
  const [sorted, idx] = g.nodeN('TopK', [key, g.int64([p])], 2, { axis: 0, largest: 1, sorted: 1 }) as [string, string];
  const rs = g.node('Gather', [r, idx], { axis: 0 }); // (p, q)
  const js = g.node('Gather', [j, idx], { axis: 0 }); // (p, p)
  // Q rows = R rows / σ; exactly 0 where σ = 0 (the zero matrix, exact rank deficiency).
  const sig = g.reshape(sorted, [p, 1]);
  const nonzero = g.greater(sig, g.scalar(1e-30));
  const qRows = g.where(nonzero, g.div(rs, g.where(nonzero, sig, g.scalar(1))), g.scalar(0));
  g.output(g.div(sorted, scale), 's', [p]);
  if (transposed) {
    g.output(g.transpose(qRows, [1, 0]), 'u', [m, p]);
    g.output(js, 'vt', [p, n]);
  } else {
    g.output(g.transpose(js, [1, 0]), 'u', [m, p]);
    g.output(qRows, 'vt', [p, n]);
  }
  return g;
}

/**
 * For ΔW = B·A (B (d, r), A (r, k)) with A = Uₐ·Σₐ·Vₐᵀ: B·A = C·Vₐᵀ with C = B·Uₐ·Σₐ (d, r).
 * Inputs b (d, r), ua (r, r), sa (r); output c (d, r).
 */
export const svdLowRankCoreKey = (d: number, r: number): string => `svd-lowrank-core-${d}x${r}`;
export function buildSvdLowRankCore(d: number, r: number): GraphBuilder {
  const g = new GraphBuilder('svd_lowrank_core');
  const b = g.input('b', [d, r]);
  const ua = g.input('ua', [r, r]);
  const sa = g.input('sa', [r]);
  g.output(g.matmul(b, g.mul(ua, sa)), 'c', [d, r]); // B·(Uₐ·Σₐ): Σₐ scales Uₐ's columns
  return g;
}

/** With C = U·Σ·V_cᵀ: B·A = U·Σ·(V_cᵀ·Vₐᵀ). Inputs vct (r, r), vat (r, k); output vt (r, k). */
export const svdLowRankVtKey = (r: number, k: number): string => `svd-lowrank-vt-${r}x${k}`;
export function buildSvdLowRankVt(r: number, k: number): GraphBuilder {
  const g = new GraphBuilder('svd_lowrank_vt');
  const vct = g.input('vct', [r, r]);
  const vat = g.input('vat', [r, k]);
  g.output(g.matmul(vct, vat), 'vt', [r, k]);
  return g;
}
