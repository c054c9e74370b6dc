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
 * - rounds: K rounds of a round-robin tournament. A round pairs every row with one partner
 *           (`pair_k`: the partner's index, `side_k`: +1 for the pair's first row, −1 for its
 *           second, both fed by the driver) and rotates all P/2 pairs at once, in place, as
 *           elementwise ops on the whole of W and its partner-gathered copy; P − 1 rounds (a
 *           sweep) meet every pair once. No row moves, so a round needs no permutation copy.
 * - check:  cos² between every two rows of the R block, from one Gram MatMul: the driver stops
 *           when a sweep leaves every pair orthogonal to CHECK_TOL, and otherwise runs only the
 *           rounds that hold a pair that is not.
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
 * A stopped sweep has every pair of rows at |cos| ≤ CHECK_TOL (the rounds keep rotating down to
 * JACOBI_TOL, so most end far below). U's columns are then orthogonal to 1e-5 (1e-4 is promised)
 * and the row norms are the singular values to second order in it (~1e-10 relative). Tighter
 * would sit at the rounding noise of a float32 Gram entry over 512 terms (~1e-6).
 */
export const CHECK_TOL = 1e-5;

/**
 * The round-robin tournament (circle method): in round r (0 ≤ r < P − 1), row P − 1 meets row r
 * and row (r + k) mod (P − 1) meets row (r − k) mod (P − 1) for k = 1 … P/2 − 1, so the P − 1
 * rounds of a sweep meet every pair of rows exactly once. Returns, per row, its partner and its
 * side (+1 for the first row of its pair, −1 for the second).
 */
export function roundRobinRound(P: number, r: number): { partner: number[]; side: number[] } {
  const partner = new Array<number>(P);
  const side = new Array<number>(P);
  const meet = (a: number, b: number) => {
    partner[a] = b;
    partner[b] = a;
    side[a] = 1;
    side[b] = -1;
  };
  const n = P - 1;
  meet(n, r % n);
  for (let k = 1; k < P / 2; k++) meet((r + k) % n, (r - k + n) % n);
  return { partner, side };
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

/**
 * Rounds per graph: ~36 nodes a round, so up to ~580 nodes a session (creation ~0.3 s). A sweep's
 * P − 1 rounds need not be a multiple of K (the schedule is fed, not built in): K in [8, 16] makes
 * the fewest runs a sweep (each run costs about as much as a round at 64×64), then wastes the
 * fewest rounds past the sweep's end.
 */
export function roundsPerRun(P: number): number {
  const n = P - 1;
  if (n <= 16) return Math.max(1, n);
  const cost = (k: number) => [Math.ceil(n / k), Math.ceil(n / k) * k - n] as const;
  let best = 16;
  for (let k = 15; k >= 8; k--) {
    const [runs, waste] = cost(k);
    const [bRuns, bWaste] = cost(best);
    if (runs < bRuns || (runs === bRuns && waste < bWaste)) best = k;
  }
  return best;
}

export const svdRoundsKey = (shape: SvdShape, rounds: number): string => {
  const { P, L } = svdDims(shape);
  return `svd-jacobi-${rounds}rounds-${P}x${L}`;
};

/**
 * `rounds` Jacobi rounds on W (P, L), in place. Inputs: w; for each round k, pair_k (P, as
 * float32 indices) and side_k (P, 1). Output: w_out.
 *
 * Stacked form: with Ws = W[pair] (every row's partner) and, per row, side h = ±1, the rotation of
 * a pair (x first, y second) is the same formula on every row,
 *     W' = W − S⊙(Ws + T⊙W),   S = h·s, T = h·τ
 * (first row: x − s(y + τx); second row: y + s(x − τy)). The Gram entries: N = ‖row‖² (computed
 * once a run, then updated exactly as a rotation changes them: α' = α − tγ, β' = β + tγ, i.e.
 * N' = N − h·t·Γ) and Γ = row·partner over the R block.
 */
export function buildSvdRounds(shape: SvdShape, rounds: number): GraphBuilder {
  const { q, P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_jacobi_rounds');
  let w = g.input('w', [P, L]);
  const one = g.scalar(1);
  const zero = g.scalar(0);
  const minusOne = g.scalar(-1);
  // ‖row‖² over the R block, exact at the start of every run (the updates below drift by rounding only).
  let n = g.reduceSumSquare(g.slice(w, [0], [q], [1]), [1], true); // (P, 1)
  for (let k = 0; k < rounds; k++) {
    const pair = g.node('Cast', [g.input(`pair${k}`, [P])], { to: 6 }); // int32 indices
    const h = g.input(`side${k}`, [P, 1]);
    const ws = g.node('Gather', [w, pair], { axis: 0 }); // every row's partner
    // γ of the row's pair (on both its rows), over the R block. (A Mul and a MatMul with a 0/1
    // column mask read no slice copies, but MLAS runs an (L, 1) right-hand side 4× slower.)
    const gamma = g.reduceSum(g.mul(g.slice(w, [0], [q], [1]), g.slice(ws, [0], [q], [1])), [1], true); // (P, 1)
    const ns = g.node('Gather', [n, pair], { axis: 0 });
    // E = β − α seen from the pair's first row (the same number on both rows).
    const e = g.mul(g.sub(ns, n), h);
    // Rotate while cos∠(x, y) > tol, i.e. γ² > tol²·α·β.
    const g2 = g.mul(gamma, gamma);
    const rotate = g.greater(g2, g.mul(g.mul(n, ns), g.scalar(JACOBI_TOL * JACOBI_TOL)));
    // Rutishauser's t = sign(ζ)/(|ζ| + √(1 + ζ²)), ζ = E/(2γ), written as t = 2γ/(E + sign(E)·√(E² + 4γ²))
    // (|θ| ≤ π/4; E = 0 gives t = sign(γ), 45°). sign via Where, since Sign runs on the CPU under
    // JSEP. γ = 0 = E gives 0/0: not rotated, through the last Where.
    const r = g.sqrt(g.add(g.mul(e, e), g.mul(g2, g.scalar(4))));
    const sign = g.where(g.less(e, zero), minusOne, one);
    const t = g.where(rotate, g.div(g.add(gamma, gamma), g.add(e, g.mul(sign, r))), zero);
    // Applied in Rutishauser's form x' = x − s·(y + τ·x), y' = y + s·(x − τ·y), τ = tan(θ/2):
    // for small t, c = 1/√(1 + t²) rounds to 1 in float32 and c·x − s·y would grow the rows by
    // t²/2 per rotation, every time (measured: +1e-5 relative on σ over a 128×128 run). Here the
    // c − 1 = −s·τ part is computed on its own and the rounding is unbiased.
    const th = g.mul(t, h); // ±t: s and τ are odd in t, so S = h·s and T = h·τ follow
    const root = g.sqrt(g.add(one, g.mul(th, th))); // √(1 + t²)
    const sS = g.div(th, root); // h·sin θ
    const tau = g.div(th, g.add(one, root)); // h·tan(θ/2)
    w = g.sub(w, g.mul(sS, g.add(ws, g.mul(tau, w))));
    n = g.sub(n, g.mul(th, gamma));
  }
  g.output(w, 'w_out', [P, L]);
  return g;
}

export const svdCheckKey = (shape: SvdShape): string => {
  const { P, L } = svdDims(shape);
  return `svd-check-${P}x${L}`;
};

/**
 * cos² between every two rows of W's R block: G = R·Rᵀ (one MatMul), then G_ij² / (G_ii·G_jj)
 * for i ≠ j, 0 on the diagonal and where a row is zero. Input w (P, L); output cos2 (P, P).
 */
export function buildSvdCheck(shape: SvdShape): GraphBuilder {
  const { q, P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_check');
  const w = g.input('w', [P, L]);
  const r = g.slice(w, [0], [q], [1]);
  const gram = g.matmulT(r, r); // (P, P)
  const d = g.reduceSumSquare(r, [1], true); // (P, 1): G_ii
  const dd = g.mul(d, g.reshape(d, [1, P])); // G_ii·G_jj
  const off = new Float32Array(P * P).fill(1);
  for (let i = 0; i < P; i++) off[i * P + i] = 0;
  const g2 = g.mul(g.mul(gram, gram), g.constant(off, [P, P], 'offdiag'));
  const ratio = g.where(g.greater(dd, g.scalar(0)), g.div(g2, g.where(g.greater(dd, g.scalar(0)), dd, g.scalar(1))), g.scalar(0));
  g.output(ratio, 'cos2', [P, P]);
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
