/**
 * Thin SVD by one-sided (Hestenes) Jacobi, as five graph families (see demos/SVD.md).
 *
 * Notation: the input M is (m, n); p = min(m, n), q = max(m, n). The rows to orthogonalise are
 * R = Mᵀ (p, q) when m ≥ n, else R = M (p, q), so there are always p of them and p is the small
 * dimension. The state is one tensor W = [R | I_p·2^−30] of shape (P, q + p), P = p rounded up to
 * even (a zero row pads odd p). Every rotation J acts on whole rows, so W stays [J·R | J·2^−30]:
 * the left block converges to Σ·Qᵀ (orthogonal rows), the right block accumulates the rotations
 * (scaled so that whole-row dot products are the R block's: see J_SCALE).
 *
 * - init:   W = [R·2^e | I_p·2^−30] (+ zero row), with 2^e scaling max|M| into (½, 1] exactly, so
 *           squares neither overflow nor underflow in float32; and the Gram matrix of R.
 * - block:  W ← Vᵀ·W for an orthogonal Vᵀ fed by the driver (eigenvectors of the Gram matrix),
 *           and the new Gram matrix: a block step rotates all rows at once by one MatMul.
 * - rounds: K rounds of a round-robin tournament. A round pairs every row with one partner
 *           (`pairs`: the partner's index, `sides`: +1 for the pair's first row, −1 for its
 *           second, both fed by the driver) and rotates all P/2 pairs at once, in place, as
 *           elementwise ops on the whole of W and its partner-gathered copy; P − 1 rounds (a
 *           sweep) meet every pair once. No row moves, so a round needs no permutation copy.
 * - check:  the Gram matrix of the R block (one MatMul), from which the driver takes every
 *           pair's cos²: it stops when a sweep leaves every pair orthogonal to CHECK_TOL, and
 *           otherwise runs only the rounds that hold a pair that is not.
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
 * A stopped sweep has every pair of rows at |cos| ≤ CHECK_TOL (the rounds keep rotating down to
 * rounding noise, so most end far below). U's columns are then orthogonal to 1e-5 (1e-4 is promised)
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
  for (let i = 0; i < p; i++) eye[i * p + i] = J_SCALE;
  let w = g.concat([r, g.constant(eye, [p, p], 'eye')], 1); // [R | I·2^−30] (see J_SCALE)
  if (P > p) w = g.concat([w, g.constant(new Float32Array(L), [1, L], 'pad')], 0);
  g.output(w, 'w', [P, L]);
  g.output(g.reshape(scale, [1]), 'scale', [1]);
  g.output(gramOf(g, w, q), 'gram', [P, P]);
  return g;
}

/** G = R·Rᵀ, the Gram matrix of W's R block (its first q columns): (P, P). */
function gramOf(g: GraphBuilder, w: string, q: number): string {
  const r = g.slice(w, [0], [q], [1]);
  return g.matmulT(r, r);
}

export const svdBlockKey = (shape: SvdShape): string => {
  const { P, L } = svdDims(shape);
  return `svd-block-${P}x${L}`;
};

/**
 * One block rotation: W' = Vᵀ·W with Vᵀ (P, P) an orthogonal matrix fed by the driver (the
 * eigenvectors of the Gram matrix R·Rᵀ, as rows), and the Gram matrix of W′'s R block for the
 * next decision. Inputs w (P, L), vt (P, P); outputs w_out (P, L), gram (P, P).
 */
export function buildSvdBlock(shape: SvdShape): GraphBuilder {
  const { q, P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_block');
  const w = g.matmul(g.input('vt', [P, P]), g.input('w', [P, L]));
  g.output(w, 'w_out', [P, L]);
  g.output(gramOf(g, w, q), 'gram', [P, P]);
  return g;
}

/**
 * Rounds per graph: 18 nodes a round, so up to ~600 nodes a session (creation ~0.3 s). A sweep's
 * P − 1 rounds need not be a multiple of K (the schedule is fed, not built in): K in [8, 32] makes
 * the fewest runs a sweep (each run costs a few rounds' worth at 64×64), then wastes the fewest
 * rounds past the sweep's end.
 */
export function roundsPerRun(P: number): number {
  const n = P - 1;
  if (n <= 32) return Math.max(1, n);
  const cost = (k: number) => [Math.ceil(n / k), Math.ceil(n / k) * k - n] as const;
  let best = 32;
  for (let k = 31; k >= 8; k--) {
    const [runs, waste] = cost(k);
    const [bRuns, bWaste] = cost(best);
    if (runs < bRuns || (runs === bRuns && waste < bWaste)) best = k;
  }
  return best;
}

/**
 * How a round computes its angle. 'trig': θ = ½·atan(2γ/(β − α)), s = sin θ, τ = tan(θ/2)
 * (6 nodes; ORT's CPU kernels are accurate to float32 ulps, also for tiny angles). 'algebraic':
 * t = tan θ = sign(β − α)·γ/(|β − α|/2 + √(((β − α)/2)² + γ²)), s = t/√(1 + t²),
 * τ = t/(1 + √(1 + t²)) (17 nodes, only sqrt and division): WGSL allows sin an absolute error of
 * 2⁻¹¹ on [−π, π], which for the tiny angles of the late sweeps would be no rotation at all.
 */
export type SvdAngle = 'trig' | 'algebraic';

export const svdRoundsKey = (shape: SvdShape, rounds: number, angle: SvdAngle = 'trig'): string => {
  const { P, L } = svdDims(shape);
  return `svd-jacobi-${rounds}rounds-${P}x${L}${angle === 'trig' ? '' : '-algebraic'}`;
};

/**
 * The rotation block of W is stored as J·2^−30 (see buildSvdInit): the rounds then take the Gram
 * entries of a pair over whole rows, without slicing the R block out. J's rows are orthonormal,
 * so the J block adds 2^−60 to every ‖row‖² (the same on both rows of a pair: it cancels in
 * β − α) and 2^−60·(rounding, ~1e-6) to x·y, which only matters for rows with σ below ~1e-9 of
 * the largest (float32 noise of the input anyway). The finish scales J back exactly.
 */
export const J_SCALE = 2 ** -30;

/** Added to β − α before dividing: β − α = 0 = γ (two zero rows) gives 0/tiny = 0, not NaN. */
const TINY = 2 ** -120;

/**
 * `rounds` Jacobi rounds on W (P, L), in place. Inputs: w; pairs (rounds·P, float32 indices:
 * round k's partner of every row at k·P … k·P + P − 1); sides (rounds·P, 1): +1 for the first row
 * of its pair, −1 for the second. Output: w_out.
 *
 * Stacked form: with Ws = W[pair] (every row's partner) and, per row, side h = ±1, the rotation of
 * a pair (x first, y second) by θ is the same formula on every row,
 *     W' = W − S⊙(Ws + T⊙W),   S = sin(h·θ), T = tan(h·θ/2)
 * (first row: x − s(y + τx); second row: y + s(x − τy)): Rutishauser's form, in which the
 * c − 1 = −s·τ part is computed on its own, so late tiny rotations do not grow the rows by
 * t²/2 each as c·x − s·y with c rounded to 1 would (measured before: +1e-5 relative on σ at
 * 128×128). θ = ½·atan(2γ/(β − α)) (|θ| ≤ π/4, the inner rotation; β = α gives atan(±∞) = ±π/2),
 * with α = ‖x‖², β = ‖y‖², γ = x·y over whole rows (see J_SCALE).
 *
 * Both rows of a pair compute bit-identical γ and β − α (x⊙y = y⊙x; β − α as nh[partner] + nh
 * with nh = −h·‖row‖²/2, an addition whose operands only swap), so their angles are exactly
 * opposite: the update is an exact rotation up to the rounding of its four ops.
 */
/**
 * Most outputs one `Split` may have. WebGPU binds every input and output of a kernel as a storage
 * buffer, and a shader stage may bind only `maxStorageBuffersPerShaderStage` of them: 8 by default
 * (the spec's guaranteed minimum), 10 on SwiftShader. ORT's WebGPU backend rejects a `Split` into
 * 32 ("Too many storage buffers in shader. Current: 11, Max is 10"), so a split into more parts
 * is a tree of splits into at most 7 (1 input + 7 outputs = 8 buffers).
 */
export const MAX_SPLIT = 7;

/**
 * `x` ((parts·rows, …)) cut along axis 0 into `parts` pieces of `rows` rows, in order, by a tree of
 * `Split`s of at most MAX_SPLIT outputs each (one node for up to 7 parts, 1 + 5 for 32).
 */
export function splitRows(g: GraphBuilder, x: string, parts: number, rows: number): string[] {
  if (parts === 1) return [x];
  if (parts <= MAX_SPLIT) return g.nodeN('Split', [x], parts, { axis: 0 });
  // Groups of `per` parts (the last one shorter), at most MAX_SPLIT groups, each split again.
  const per = Math.ceil(parts / MAX_SPLIT);
  const sizes: number[] = [];
  for (let left = parts; left > 0; left -= per) sizes.push(Math.min(per, left));
  const groups = g.nodeN('Split', [x, g.int64(sizes.map((s) => s * rows))], sizes.length, { axis: 0 });
  return groups.flatMap((group, i) => splitRows(g, group, sizes[i]!, rows));
}

export function buildSvdRounds(shape: SvdShape, rounds: number, angle: SvdAngle = 'trig'): GraphBuilder {
  const { P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_jacobi_rounds');
  let w = g.input('w', [P, L]);
  const split = (x: string): string[] => splitRows(g, x, rounds, P);
  // The schedule arrives as two inputs for all rounds: one Cast and a few Splits each, not one a round.
  const pairs = split(g.node('Cast', [g.input('pairs', [rounds * P])], { to: 7 })); // int64 indices
  const sides = g.input('sides', [rounds * P, 1]);
  const negHalf = split(g.mul(sides, g.scalar(-0.5)));
  const half = angle === 'trig' ? split(g.mul(sides, g.scalar(0.5))) : [];
  const quarter = angle === 'trig' ? split(g.mul(sides, g.scalar(0.25))) : [];
  const h = angle === 'trig' ? [] : split(sides);
  const tiny = g.scalar(TINY);
  const one = g.scalar(1);
  for (let k = 0; k < rounds; k++) {
    const pair = pairs[k]!;
    const ws = g.node('Gather', [w, pair], { axis: 0 }); // every row's partner
    const gamma = g.reduceSum(g.mul(w, ws), [1], true); // (P, 1): x·y on both rows
    const nh = g.mul(g.reduceSumSquare(w, [1], true), negHalf[k]!); // −α/2 on first rows, β/2 on second
    const e = g.add(g.add(g.node('Gather', [nh, pair], { axis: 0 }), nh), tiny); // (β − α)/2 on both rows
    let sS: string; // sin(h·θ)
    let tau: string; // tan(h·θ/2)
    if (angle === 'trig') {
      const a = g.node('Atan', [g.div(gamma, e)]); // 2θ
      sS = g.node('Sin', [g.mul(a, half[k]!)]);
      tau = g.node('Tan', [g.mul(a, quarter[k]!)]);
    } else {
      // t = sign(e)·γ/(|e| + √(e² + γ²)); e ≥ 2⁻¹²⁰ > 0 when β = α, so t = sign(γ) there and 0 for γ = 0.
      const r = g.sqrt(g.add(g.mul(e, e), g.mul(gamma, gamma)));
      const sign = g.where(g.less(e, g.scalar(0)), g.scalar(-1), one);
      const th = g.mul(g.div(g.mul(gamma, sign), g.add(g.abs(e), r)), h[k]!); // tan(h·θ)
      const root = g.sqrt(g.add(one, g.mul(th, th))); // √(1 + t²)
      sS = g.div(th, root);
      tau = g.div(th, g.add(one, root));
    }
    w = g.sub(w, g.mul(sS, g.add(ws, g.mul(tau, w))));
  }
  g.output(w, 'w_out', [P, L]);
  return g;
}

export const svdCheckKey = (shape: SvdShape): string => {
  const { P, L } = svdDims(shape);
  return `svd-check-${P}x${L}`;
};

/** The Gram matrix R·Rᵀ of W's R block, from which the driver takes every pair's cos². Input w (P, L); output gram (P, P). */
export function buildSvdCheck(shape: SvdShape): GraphBuilder {
  const { q, P, L } = svdDims(shape);
  const g = new GraphBuilder('svd_check');
  g.output(gramOf(g, g.input('w', [P, L]), q), 'gram', [P, P]);
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
  const j = g.mul(g.slice(w, [q], [L], [1]), g.scalar(1 / J_SCALE)); // accumulated rotations, (P, p), exactly unscaled
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
