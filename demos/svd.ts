/**
 * Thin SVD of any m×n matrix, computed by ONNX graphs in onnxruntime (one-sided Jacobi; the
 * graphs and the maths are in graphs/svd.ts, the why and the numbers in SVD.md).
 *
 * The driver only schedules runs: init once, then blocks of K Jacobi rounds with W fed back
 * (kept on the GPU under WebGPU), reading the accumulated Σt² once per sweep (P − 1 rounds),
 * until a sweep rotates (almost) nothing, then one finishing run that sorts and normalises.
 */
import {
  JACOBI_TOL,
  buildSvdFinish,
  buildSvdInit,
  buildSvdRounds,
  buildSvdLowRankCore,
  buildSvdLowRankVt,
  svdLowRankCoreKey,
  svdLowRankVtKey,
  roundsPerRun,
  svdDims,
  svdFinishKey,
  svdInitKey,
  svdRoundsKey,
  type SvdShape,
} from './graphs/svd';
import type { OrtTensor, Runtime } from './runtime';
import type { Matrix, SvdResult } from './types';

/** Sweeps before giving up on convergence; float32 Jacobi needed 8 (64×64) to 14 (512×512). */
export const MAX_SWEEPS = 30;

/**
 * A sweep whose rotations all had |t| ≤ JACOBI_TOL (Σt² ≤ TOL²) moved no row by more than
 * ~1e-6 of its norm and disturbed other pairs only at second order: W is final. This saves
 * the last sweep, which would rotate nothing.
 */
const CONVERGED_ROTATION = JACOBI_TOL * JACOBI_TOL;

export interface SvdOptions {
  signal?: AbortSignal;
  /** Called after every sweep with the sum of squared rotation tangents (0 = converged). */
  onSweep?: (info: { sweep: number; rotation: number }) => void;
}

/** What one `svd` call did, for tests and benchmarks. */
export interface SvdStats {
  sweeps: number;
  runs: number;
  converged: boolean;
}

let lastStats: SvdStats = { sweeps: 0, runs: 0, converged: true };
/** The statistics of the most recent `svd` call. */
export const lastSvdStats = (): SvdStats => lastStats;

function dispose(t: OrtTensor | undefined): void {
  // Only GPU-resident outputs own device memory; CPU tensors are left to the GC.
  if (t && t.location === 'gpu-buffer') t.dispose();
}

export async function svd(rt: Runtime, m: Matrix, opts: SvdOptions = {}): Promise<SvdResult> {
  const shape: SvdShape = { m: m.rows, n: m.cols };
  const { P } = svdDims(shape);
  const K = roundsPerRun(P);
  const runsPerSweep = Math.ceil((P - 1) / K);
  const gpu = { gpuOutputs: ['w', 'w_out', 'acc_out'] };

  const [init, rounds, finish] = await Promise.all([
    rt.session(svdInitKey(shape), () => buildSvdInit(shape), gpu),
    rt.session(svdRoundsKey(shape, K), () => buildSvdRounds(shape, K), gpu),
    rt.session(svdFinishKey(shape), () => buildSvdFinish(shape)),
  ]);
  opts.signal?.throwIfAborted();

  const first = await init.run({ m: rt.tensor(m) });
  let w = first.w!;
  let accLive: OrtTensor | undefined; // for `finally`, when a run throws mid-sweep
  const scale = first.scale!;
  const stats: SvdStats = { sweeps: 0, runs: 1, converged: false };
  try {
    while (stats.sweeps < MAX_SWEEPS && !stats.converged) {
      let acc = rt.tensorOf(new Float32Array(4), [4]);
      for (let r = 0; r < runsPerSweep; r++) {
        opts.signal?.throwIfAborted();
        const out = await rounds.run({ w, acc });
        dispose(w);
        dispose(acc);
        w = out.w_out!;
        acc = accLive = out.acc_out!;
        stats.runs++;
      }
      // One read-back per sweep.
      const rotation = (await rt.read(acc))[0]!;
      dispose(acc);
      accLive = undefined;
      stats.sweeps++;
      stats.converged = rotation <= CONVERGED_ROTATION;
      opts.onSweep?.({ sweep: stats.sweeps, rotation });
    }
    opts.signal?.throwIfAborted();
    const out = await finish.run({ w, scale });
    stats.runs++;
    const [u, s, vt] = await Promise.all([rt.readMatrix(out.u!), rt.read(out.s!), rt.readMatrix(out.vt!)]);
    return { u, s: new Float32Array(s), vt };
  } finally {
    dispose(w);
    dispose(accLive);
    lastStats = stats;
  }
}

/**
 * The SVD of ΔW = B·A (B (d, r), A (r, k), r ≤ min(d, k)) without forming ΔW: two r-column SVDs
 * and two small matmuls, A = Uₐ·Σₐ·Vₐᵀ, C = B·Uₐ·Σₐ = U·Σ·V_cᵀ, so B·A = U·Σ·(V_cᵀ·Vₐᵀ).
 * Returns the rank-r part: u (d, r), s (r), vt (r, k); the other singular values of ΔW are 0.
 * No Gram matrix is formed, so small σ keep the accuracy of `svd`.
 */
export async function svdLowRank(rt: Runtime, b: Matrix, a: Matrix, opts: SvdOptions = {}): Promise<SvdResult> {
  const [d, r, k] = [b.rows, b.cols, a.cols];
  if (a.rows !== r || r > Math.min(d, k)) {
    throw new RangeError(`svdLowRank needs B (d, r) and A (r, k) with r ≤ min(d, k); got B ${d}×${r}, A ${a.rows}×${k}`);
  }
  const fa = await svd(rt, a, opts); // ua (r, r), s (r), vt (r, k)
  const core = await rt.session(svdLowRankCoreKey(d, r), () => buildSvdLowRankCore(d, r));
  const c = await rt.readMatrix((await core.run({ b: rt.tensor(b), ua: rt.tensor(fa.u), sa: rt.tensorOf(fa.s, [r]) })).c!);
  const fc = await svd(rt, c, opts); // u (d, r), s (r), vt (r, r)
  const vtRun = await rt.session(svdLowRankVtKey(r, k), () => buildSvdLowRankVt(r, k));
  const vt = await rt.readMatrix((await vtRun.run({ vct: rt.tensor(fc.vt), vat: rt.tensor(fa.vt) })).vt!);
  return { u: fc.u, s: fc.s, vt };
}
