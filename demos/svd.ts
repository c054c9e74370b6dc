/**
 * Thin SVD of any m×n matrix, computed by ONNX graphs in onnxruntime (one-sided Jacobi; the
 * graphs and the maths are in graphs/svd.ts, the why and the numbers in SVD.md).
 *
 * The driver only schedules runs: init once, then runs of K Jacobi rounds with W fed back (kept
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
}

function dispose(t: OrtTensor | undefined): void {
  // Only GPU-resident outputs own device memory; CPU tensors are left to the GC.
  if (t && t.location === 'gpu-buffer') t.dispose();
}

export async function svd(rt: Runtime, m: Matrix, opts: SvdOptions = {}): Promise<SvdResult> {
  const shape: SvdShape = { m: m.rows, n: m.cols };
  const { P } = svdDims(shape);
  const K = roundsPerRun(P);
  const gpu = { gpuOutputs: ['w', 'w_out'] };

  const [init, rounds_, check, finish] = await Promise.all([
    rt.session(svdInitKey(shape), () => buildSvdInit(shape), gpu),
    rt.session(svdRoundsKey(shape, K), () => buildSvdRounds(shape, K), gpu),
    rt.session(svdCheckKey(shape), () => buildSvdCheck(shape)),
    rt.session(svdFinishKey(shape), () => buildSvdFinish(shape)),
  ]);
  opts.signal?.throwIfAborted();

  // The tournament's P − 1 rounds as feeds, made once; run j of a sweep takes rounds jK … jK + K − 1
  // (mod P − 1: a last run past the sweep's end starts the next sweep's first rounds again, which
  // only rotates what is still not orthogonal).
  const schedule = Array.from({ length: P - 1 }, (_, r) => {
    const { partner, side } = roundRobinRound(P, r);
    return { pair: rt.tensorOf(Float32Array.from(partner), [P]), side: rt.tensorOf(Float32Array.from(side), [P, 1]) };
  });
  /** Feeds for K rounds of `rounds` from position j·K (a short list is repeated: a round run twice rotates nothing new). */
  const feeds = (rounds: number[], j: number): Record<string, OrtTensor> => {
    const f: Record<string, OrtTensor> = {};
    for (let k = 0; k < K; k++) {
      const round = schedule[rounds[(j * K + k) % rounds.length]!]!;
      f[`pair${k}`] = round.pair;
      f[`side${k}`] = round.side;
    }
    return f;
  };
  const partners = Array.from({ length: P - 1 }, (_, r) => roundRobinRound(P, r).partner);
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
      const runs = Math.ceil(rounds.length / K);
      for (let j = 0; j < runs; j++) {
        opts.signal?.throwIfAborted();
        const out = await rounds_.run({ w, ...feeds(rounds, j) });
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
