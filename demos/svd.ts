/**
 * Thin SVD of any m×n matrix: one-sided Jacobi on the rows of W (graphs and maths in
 * graphs/svd.ts, the why and the numbers in SVD.md), in two phases.
 *
 * 1. Block steps. The init graph also returns the Gram matrix G = R·Rᵀ of the rows (P² floats
 *    read). Its eigenvectors V (float64 tred2/tql2, linalg64.ts, on the CPU: a P × P problem, O(P³))
 *    are what Jacobi would converge to, up to what the float32 Gram can resolve; one MatMul
 *    W ← Vᵀ·W (the block graph, which returns the new Gram) applies them all at once. The next
 *    step's G, from the rotated rows, is nearly diagonal and resolves the rest: two steps end a
 *    random or graded input. Each step takes only the rows that still have a pair with
 *    |cos| > CHECK_TOL, so float32 noise rows of a rank-deficient input are resolved at their
 *    own scale; steps stop when one makes no progress (and one that made things worse is undone).
 * 2. Jacobi rounds, for what block steps leave: runs of K (or K/4) rounds with W fed back (kept
 *    on the GPU under WebGPU) and the round-robin schedule fed as inputs, the Gram check after
 *    every sweep, each sweep running only the rounds that hold a pair the check found open.
 *
 * Either phase stops when every pair of rows has |cos| ≤ CHECK_TOL; one finishing run sorts and
 * normalises. The rounds' graphs are created only when a sweep is needed.
 */
import {
  CHECK_TOL,
  buildSvdCheck,
  buildSvdFinish,
  buildSvdInit,
  buildSvdRounds,
  roundRobinRound,
  roundsPerRun,
  svdCheckKey,
  buildSvdBlock,
  svdBlockKey,
  svdDims,
  svdFinishKey,
  svdInitKey,
  svdRoundsKey,
  type SvdAngle,
  type SvdShape,
} from './graphs/svd';
import { symmetricEigenvectors } from './linalg64';
import type { OrtTensor, Runtime } from './runtime';
import type { Matrix, SvdResult } from './types';

/** Block steps and sweeps before giving up on convergence. */
export const MAX_SWEEPS = 30;

/** Most block steps (W ← Vᵀ·W with V from the Gram matrix's eigenvectors) before the rounds. */
export const BLOCK_STEPS = 4;

/** A block step is followed by another only if it divided the largest |cos| by at least this. */
export const BLOCK_GAIN = 10;

export interface SvdOptions {
  signal?: AbortSignal;
  /**
   * Called with the largest |cos| between two rows (≤ CHECK_TOL: converged) of the input
   * (sweep 0, kind 'start'), then after every block step and every sweep of rounds.
   */
  onSweep?: (info: { sweep: number; off: number; kind: 'start' | 'block' | 'rounds' }) => void;
  /**
   * The rounds' angle formula (see SvdAngle in graphs/svd.ts): 'trig' by default on WASM,
   * 'algebraic' on WebGPU, where WGSL's sin/tan/atan are not accurate for tiny angles.
   */
  angle?: SvdAngle;
  /** Most block steps before the Jacobi rounds (default BLOCK_STEPS; 0: rounds only). */
  blockSteps?: number;
}

function dispose(t: OrtTensor | undefined): void {
  // Only GPU-resident outputs own device memory; CPU tensors are left to the GC.
  if (t && t.location === 'gpu-buffer') t.dispose();
}

/** How orthogonal W's rows are, as the driver decides from it. */
interface Orthogonality {
  gram: Float32Array;
  /** The largest |cos| between two rows. */
  off: number;
  /** Pairs with |cos| > CHECK_TOL. */
  openPairs: number;
  open: (i: number, j: number) => boolean;
}

/**
 * The largest |cos| between two rows, and per pair whether it is still above CHECK_TOL, from the
 * R block's Gram matrix G (P × P, float32): cos²_ij = G_ij² / (G_ii·G_jj), 0 where a row is 0.
 */
function offOf(gram: Float32Array, P: number): Orthogonality {
  const limit = CHECK_TOL * CHECK_TOL;
  const cos2 = (i: number, j: number) => {
    const dd = gram[i * P + i]! * gram[j * P + j]!;
    return dd > 0 ? (gram[i * P + j]! * gram[i * P + j]!) / dd : 0;
  };
  let worst = 0;
  let openPairs = 0;
  for (let i = 0; i < P; i++) {
    for (let j = i + 1; j < P; j++) {
      const c = cos2(i, j);
      if (c > worst) worst = c;
      if (c > limit) openPairs++;
    }
  }
  return { gram, off: Math.sqrt(worst), openPairs, open: (i, j) => cos2(i, j) > limit };
}

/**
 * Vᵀ for a block step: the eigenvectors, as rows, of the Gram matrix restricted to the rows that
 * still have a pair with |cos| > CHECK_TOL (float64 maths on the float32 Gram, rounded to float32),
 * and the identity on the other rows. Restricting matters for rank-deficient inputs: once the
 * large rows are orthogonal, the rest are float32 noise ~1e-7·σ₁ whose Gram entries (~1e-14·σ₁²)
 * an eigensolver of the whole matrix resolves only to ~1e-16·σ₁², i.e. not at all; on their own,
 * at their own scale, they are resolved like any other rows. A padding row (P > p) is zero, so
 * never open: it keeps its 1 on the diagonal and the finish still finds it by its zero rotation
 * row. Null when there is no open row or the eigensolver fails (non-finite input).
 */
function blockRotation({ gram, open }: Orthogonality, P: number): Float32Array | null {
  const rows: number[] = [];
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < P; j++) {
      if (j !== i && open(i, j)) {
        rows.push(i);
        break;
      }
    }
  }
  const n = rows.length;
  if (n === 0) return null;
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) g[a * n + b] = gram[rows[a]! * P + rows[b]!]!;
  const vt = symmetricEigenvectors(g, n);
  if (!vt) return null;
  const out = new Float32Array(P * P);
  for (let i = 0; i < P; i++) out[i * P + i] = 1;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[rows[a]! * P + rows[b]!] = vt[a * n + b]!;
  return out;
}

export async function svd(rt: Runtime, m: Matrix, opts: SvdOptions = {}): Promise<SvdResult> {
  const shape: SvdShape = { m: m.rows, n: m.cols };
  const { P } = svdDims(shape);
  const K = roundsPerRun(P);
  // Late sweeps need only a few rounds (threshold Jacobi): a short run of k rounds ends a sweep
  // when a long one would waste more than k − 1 of its rounds.
  const k = Math.max(1, Math.ceil(K / 4));
  const gpu = { gpuOutputs: ['w', 'w_out'] };
  const angle: SvdAngle = opts.angle ?? (rt.backend === 'webgpu' ? 'algebraic' : 'trig');
  const maxBlockSteps = opts.blockSteps ?? BLOCK_STEPS;

  const [init, block, finish] = await Promise.all([
    rt.session(svdInitKey(shape), () => buildSvdInit(shape), gpu),
    rt.session(svdBlockKey(shape), () => buildSvdBlock(shape), gpu),
    rt.session(svdFinishKey(shape), () => buildSvdFinish(shape)),
  ]);
  // The rounds' graphs (hundreds of nodes, the costliest to create) only when a sweep needs them.
  const roundSessions = () =>
    Promise.all([
      rt.session(svdRoundsKey(shape, K, angle), () => buildSvdRounds(shape, K, angle), gpu),
      rt.session(svdRoundsKey(shape, k, angle), () => buildSvdRounds(shape, k, angle), gpu),
      rt.session(svdCheckKey(shape), () => buildSvdCheck(shape)),
    ]);
  opts.signal?.throwIfAborted();

  // The tournament's P − 1 rounds, made once. A run takes `count` rounds of the sweep's list from
  // `start` (mod its length: a run past the end starts the list again, which only rotates what is
  // still not orthogonal), fed as two tensors for all its rounds.
  const schedule = Array.from({ length: P - 1 }, (_, r) => roundRobinRound(P, r));
  const feeds = (rounds: number[], start: number, count: number): Record<string, OrtTensor> => {
    const pairs = new Float32Array(count * P);
    const sides = new Float32Array(count * P);
    for (let i = 0; i < count; i++) {
      const round = schedule[rounds[(start + i) % rounds.length]!]!;
      pairs.set(round.partner, i * P);
      sides.set(round.side, i * P);
    }
    return { pairs: rt.tensorOf(pairs, [count * P]), sides: rt.tensorOf(sides, [count * P, 1]) };
  };
  const partners = schedule.map((round) => round.partner);

  const first = await init.run({ m: rt.tensor(m) });
  let w = first.w!;
  const scale = first.scale!;
  try {
    let state = offOf(await rt.read(first.gram!), P);
    let sweep = 0;
    const report = (kind: 'start' | 'block' | 'rounds') => opts.onSweep?.({ sweep, off: state.off, kind });
    report('start');
    // Block steps: W ← Vᵀ·W with V the eigenvectors of the Gram matrix of the rows still open
    // (one MatMul), as long as each makes progress (SVD.md: two steps end most inputs).
    for (let b = 0; b < maxBlockSteps && state.off > CHECK_TOL; b++) {
      opts.signal?.throwIfAborted();
      const vt = blockRotation(state, P);
      if (!vt) break;
      const out = await block.run({ w, vt: rt.tensorOf(vt, [P, P]) });
      const next = offOf(await rt.read(out.gram!), P);
      // Another step only after progress: |cos| down by BLOCK_GAIN, or fewer pairs left open. A
      // step that made the worst pair worse is undone (an eigenbasis of rows of scales ~1 and
      // ~1e-7 together resolves the small ones to no better than garbage): the rounds go on
      // from before it.
      const progress = next.off * BLOCK_GAIN <= state.off || next.openPairs < state.openPairs;
      if (!progress && next.off > state.off) {
        dispose(out.w_out);
        break;
      }
      dispose(w);
      w = out.w_out!;
      state = next;
      sweep++;
      report('block');
      if (!progress) break;
    }
    // Jacobi sweeps: each runs the rounds that still hold a pair with |cos| > CHECK_TOL (all of
    // them at first, without block steps): near the end only a few pairs are left, and the
    // rounds without one would rotate nothing.
    while (state.off > CHECK_TOL && sweep < MAX_SWEEPS) {
      const [long, short, check] = await roundSessions();
      opts.signal?.throwIfAborted();
      const open = state.open;
      const rounds = partners.map((_, r) => r).filter((r) => partners[r]!.some((j, i) => open(i, j)));
      for (let start = 0; start < rounds.length; ) {
        opts.signal?.throwIfAborted();
        const count = rounds.length - start > K - k ? K : k;
        const out = await (count === K ? long : short).run({ w, ...feeds(rounds, start, count) });
        start += count;
        dispose(w);
        w = out.w_out!;
      }
      state = offOf(await rt.read((await check.run({ w })).gram!), P);
      sweep++;
      report('rounds');
    }
    opts.signal?.throwIfAborted();
    const out = await finish.run({ w, scale });
    const [u, s, vt] = await Promise.all([rt.readMatrix(out.u!), rt.read(out.s!), rt.readMatrix(out.vt!)]);
    return { u, s: new Float32Array(s), vt };
  } finally {
    dispose(w);
  }
}
