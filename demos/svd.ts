/**
 * Thin SVD of any m×n matrix, computed by ONNX graphs in onnxruntime (one-sided Jacobi; the
 * graphs and the maths are in graphs/svd.ts, the why and the numbers in SVD.md).
 *
 * The driver only schedules runs: init once, then runs of K (or K/4) Jacobi rounds with W fed back (kept
 * on the GPU under WebGPU) and the round-robin schedule fed as inputs, a check of W's
 * orthogonality after every sweep (cos² of every pair, P² floats read), until the check passes,
 * then one finishing run that sorts and normalises. After the first sweep, a sweep runs only the
 * rounds that hold a pair the check found not yet orthogonal.
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
  svdDims,
  svdFinishKey,
  svdInitKey,
  svdRoundsKey,
  type SvdAngle,
  type SvdShape,
} from './graphs/svd';
import type { OrtTensor, Runtime } from './runtime';
import type { Matrix, SvdResult } from './types';

/** Sweeps before giving up on convergence; float32 Jacobi needed 7 (64×64) to 13 (512×512). */
export const MAX_SWEEPS = 30;

export interface SvdOptions {
  signal?: AbortSignal;
  /** Called after every sweep with the largest |cos| between two rows (≤ CHECK_TOL: converged). */
  onSweep?: (info: { sweep: number; off: number }) => void;
  /**
   * The rounds' angle formula (see SvdAngle in graphs/svd.ts): 'trig' by default on WASM,
   * 'algebraic' on WebGPU, where WGSL's sin/tan/atan are not accurate for tiny angles.
   */
  angle?: SvdAngle;
}

function dispose(t: OrtTensor | undefined): void {
  // Only GPU-resident outputs own device memory; CPU tensors are left to the GC.
  if (t && t.location === 'gpu-buffer') t.dispose();
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

  const [init, long, short, check, finish] = await Promise.all([
    rt.session(svdInitKey(shape), () => buildSvdInit(shape), gpu),
    rt.session(svdRoundsKey(shape, K, angle), () => buildSvdRounds(shape, K, angle), gpu),
    rt.session(svdRoundsKey(shape, k, angle), () => buildSvdRounds(shape, k, angle), gpu),
    rt.session(svdCheckKey(shape), () => buildSvdCheck(shape)),
    rt.session(svdFinishKey(shape), () => buildSvdFinish(shape)),
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
  const every = partners.map((_, r) => r);

  const first = await init.run({ m: rt.tensor(m) });
  let w = first.w!;
  const scale = first.scale!;
  try {
    let converged = false;
    // A sweep runs the rounds that still hold a pair with |cos| > CHECK_TOL (all of them at first):
    // near the end only a few pairs are left, and the rounds without one would rotate nothing.
    let rounds = every;
    for (let sweep = 1; sweep <= MAX_SWEEPS && !converged; sweep++) {
      for (let start = 0; start < rounds.length; ) {
        opts.signal?.throwIfAborted();
        const count = rounds.length - start > K - k ? K : k;
        const out = await (count === K ? long : short).run({ w, ...feeds(rounds, start, count) });
        start += count;
        dispose(w);
        w = out.w_out!;
      }
      const cos2 = await rt.read((await check.run({ w })).cos2!);
      let worst = 0;
      for (const c of cos2) if (c > worst) worst = c;
      const off = Math.sqrt(worst);
      converged = off <= CHECK_TOL;
      opts.onSweep?.({ sweep, off });
      const limit = CHECK_TOL * CHECK_TOL;
      rounds = every.filter((r) => partners[r]!.some((j, i) => cos2[i * P + j]! > limit));
    }
    opts.signal?.throwIfAborted();
    const out = await finish.run({ w, scale });
    const [u, s, vt] = await Promise.all([rt.readMatrix(out.u!), rt.read(out.s!), rt.readMatrix(out.vt!)]);
    return { u, s: new Float32Array(s), vt };
  } finally {
    dispose(w);
  }
}
