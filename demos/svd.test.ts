/**
 * svd() against ml-matrix's float64 SVD (the oracle), on random matrices and on matrices with
 * known spectra. The promise (issue 2): every σᵢ within 1e-5·σ₁; ‖UΣVᵀ − M‖_F/‖M‖_F ≤ 1e-5;
 * max |UᵀU − I| and |VᵀV − I| ≤ 1e-4 on the columns with σᵢ > 1e-5·σ₁; everything finite.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { Matrix as F64, QrDecomposition, SVD } from 'ml-matrix';
import { Runtime, type Ort } from './runtime';
import { symmetricEigenvectors } from './linalg64';
import { svd, type SvdOptions } from './svd';
import { CHECK_TOL, roundRobinRound } from './graphs/svd';
import type { Matrix, SvdResult } from './types';

const rt = new Runtime(ort as unknown as Ort, 'wasm');
afterAll(() => rt.dispose());

// ---- seeded test data (float64 maths, rounded to float32 once at the end) ----
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0; // mulberry32
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
const randn = (rows: number, cols: number, seed: number): F64 => {
  const next = normals(seed);
  return F64.from1DArray(rows, cols, Array.from({ length: rows * cols }, next));
};
const toF32 = (a: F64): Matrix => ({ data: Float32Array.from(a.to1DArray()), rows: a.rows, cols: a.columns });
const toF64 = (m: Matrix): F64 => F64.from1DArray(m.rows, m.cols, Array.from(m.data));
/** An m×k matrix with orthonormal columns. */
const orthonormal = (m: number, k: number, seed: number): F64 => new QrDecomposition(randn(m, k, seed)).orthogonalMatrix.subMatrix(0, m - 1, 0, k - 1);
/** U·diag(σ)·Vᵀ with random orthonormal U, V: a matrix whose spectrum is σ. */
function withSpectrum(m: number, n: number, sigma: number[], seed: number): F64 {
  const k = sigma.length;
  return orthonormal(m, k, seed).mmul(F64.diag(sigma)).mmul(orthonormal(n, k, seed + 1).transpose());
}

// ---- the promise, measured ----
interface Report {
  sigma: number;
  residual: number;
  orthoU: number;
  orthoV: number;
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 0)); // let vitest's RPC breathe between big float64 steps

/** `ref`: the exact spectrum when it is known (else ml-matrix's float64 SVD is the oracle). */
async function measure(m: Matrix, r: SvdResult, ref?: number[]): Promise<Report> {
  const p = Math.min(m.rows, m.cols);
  expect(r.u.rows).toBe(m.rows);
  expect(r.u.cols).toBe(p);
  expect(r.vt.rows).toBe(p);
  expect(r.vt.cols).toBe(m.cols);
  expect(r.s.length).toBe(p);
  for (const x of [r.u.data, r.s, r.vt.data]) expect(x.every(Number.isFinite)).toBe(true);
  for (let i = 1; i < p; i++) expect(r.s[i]!).toBeLessThanOrEqual(r.s[i - 1]!);

  const a = toF64(m);
  ref ??= new SVD(a, { autoTranspose: true }).diagonal;
  await tick();
  const s1 = ref[0]! || 1;
  const sigma = Math.max(...ref.map((x, i) => Math.abs(x - r.s[i]!))) / s1;

  const u = toF64(r.u);
  const vt = toF64(r.vt);
  const norm = a.norm() || 1;
  const residual = u.mmul(F64.diag(Array.from(r.s))).mmul(vt).sub(a).norm() / norm;
  await tick();

  const keep = ref.map((x, i) => (x > 1e-5 * s1 ? i : -1)).filter((i) => i >= 0);
  const ortho = (q: F64) => {
    let e = 0;
    for (const i of keep) for (const j of keep) e = Math.max(e, Math.abs(q.get(i, j) - (i === j ? 1 : 0)));
    return e;
  };
  const orthoU = ortho(u.transpose().mmul(u));
  await tick();
  return { sigma, residual, orthoU, orthoV: ortho(vt.mmul(vt.transpose())) };
}
function expectPromise(rep: Report): void {
  expect(rep.sigma).toBeLessThanOrEqual(1e-5);
  expect(rep.residual).toBeLessThanOrEqual(1e-5);
  expect(rep.orthoU).toBeLessThanOrEqual(1e-4);
  expect(rep.orthoV).toBeLessThanOrEqual(1e-4);
}
const fmt = (r: Report) =>
  `σ ${r.sigma.toExponential(1)}·σ₁, residual ${r.residual.toExponential(1)}, UᵀU ${r.orthoU.toExponential(1)}, VVᵀ ${r.orthoV.toExponential(1)}`;

async function check(name: string, a: F64, ref?: number[], opts: SvdOptions = {}): Promise<{ m: Matrix; r: SvdResult; rep: Report; kinds: string[] }> {
  const m = toF32(a);
  const copy = m.data.slice();
  const t0 = performance.now();
  const offs: number[] = [];
  const kinds: string[] = [];
  const r = await svd(rt, m, {
    ...opts,
    onSweep: ({ off, kind }) => {
      offs.push(off);
      kinds.push(kind);
    },
  });
  const ms = performance.now() - t0;
  expect(m.data).toEqual(copy); // the input is never changed
  const rep = await measure(m, r, ref);
  expect(kinds[0]).toBe('start');
  expect(offs.at(-1)).toBeLessThanOrEqual(CHECK_TOL); // it stopped because it converged
  const steps = (kind: string) => kinds.filter((k) => k === kind).length;
  console.log(`${name} ${m.rows}×${m.cols}: ${fmt(rep)}; ${steps('block')} block steps, ${steps('rounds')} sweeps, ${ms.toFixed(0)} ms`);
  expectPromise(rep);
  return { m, r, rep, kinds };
}

describe('svd (one-sided Jacobi in ONNX graphs, WASM)', () => {
  it('the round-robin schedule meets every pair of rows once per sweep, each row once per round', () => {
    for (const P of [2, 4, 6, 8, 16, 34]) {
      const met = new Set<string>();
      for (let r = 0; r < P - 1; r++) {
        const { partner, side } = roundRobinRound(P, r);
        for (let i = 0; i < P; i++) {
          expect(partner[partner[i]!]).toBe(i);
          expect(partner[i]).not.toBe(i);
          expect(side[i]! * side[partner[i]!]!).toBe(-1);
          met.add([i, partner[i]!].sort((x, y) => x - y).join(','));
        }
      }
      expect(met.size).toBe((P * (P - 1)) / 2);
    }
  });

  it('random square 64×64', () => check('random', randn(64, 64, 1)));
  it('random tall 40×12 and wide 12×40', async () => {
    await check('tall', randn(40, 12, 2));
    await check('wide', randn(12, 40, 3));
  });
  it('odd sizes 7×7 and 9×5 (a padding row)', async () => {
    await check('odd', randn(7, 7, 4));
    await check('odd tall', randn(9, 5, 5));
  });
  it('a row 1×9 and a column 9×1', async () => {
    const { r } = await check('row', randn(1, 9, 6));
    expect(Math.abs(r.u.data[0]!)).toBeCloseTo(1, 6);
    await check('column', randn(9, 1, 7));
  });

  it('exactly low rank: B·A with r = 4 inside 32×32 and 64×64', async () => {
    for (const n of [32, 64]) {
      const { r } = await check(`B·A r=4`, randn(n, 4, 10 + n).mmul(randn(4, n, 20 + n)));
      // Beyond the rank, σ is float32 rounding noise of the input.
      expect(r.s[4]! / r.s[0]!).toBeLessThan(1e-5);
    }
  });

  it('rank-deficient tall 50×20 of rank 5', () => check('rank 5', randn(50, 5, 30).mmul(randn(5, 20, 31))));

  it('ΔW = B·A + 0.001·noise (64×64): the small singular values are accurate too', async () => {
    // A LoRA-sized update: σ₁..σ₄ ~ 0.5 from B·A, σ₅..σ₆₄ from the noise, ~1e-2·σ₁ down to ~0.
    const a = randn(64, 4, 40).mul(0.1).mmul(randn(4, 64, 41).mul(0.1)).add(randn(64, 64, 42).mul(1e-3));
    const { m, r } = await check('ΔW', a);
    const ref = new SVD(toF64(m)).diagonal;
    // The promise is absolute (1e-5·σ₁); relative to themselves, the σ ≥ 1e-3·σ₁ are within 1e-4 (measured 4e-6).
    let worst = 0;
    let count = 0;
    for (let i = 4; i < 64; i++) {
      if (ref[i]! < 1e-3 * ref[0]!) continue;
      worst = Math.max(worst, Math.abs(r.s[i]! - ref[i]!) / ref[i]!);
      count++;
    }
    console.log(`ΔW: σ₅/σ₁ = ${(ref[4]! / ref[0]!).toExponential(1)}; ${count} σ ≥ 1e-3·σ₁ beyond the rank, worst relative error ${worst.toExponential(1)}`);
    expect(count).toBeGreaterThan(40);
    expect(worst).toBeLessThan(1e-4);
  });

  it('known spectra: condition 1e4 (48×32), repeated values (30×30)', async () => {
    const graded = Array.from({ length: 32 }, (_, i) => 10 ** (-4 * (i / 31)));
    const { r } = await check('graded', withSpectrum(48, 32, graded, 50));
    for (let i = 0; i < 32; i++) expect(Math.abs(r.s[i]! - graded[i]!)).toBeLessThan(1e-5);
    const repeated = Array.from({ length: 30 }, (_, i) => (i < 10 ? 2 : i < 25 ? 1 : 0.5));
    await check('repeated', withSpectrum(30, 30, repeated, 60));
  });

  it('equal norms (β = α: the 45° rotation, atan(±∞)): identity, Hadamard, all-ones, with and without block steps', async () => {
    // In the rounds, both rows of a pair must get exactly opposite angles even when β − α is ±0
    // (blockSteps: 0 makes the rounds do all the work; with block steps, the identity and the
    // Hadamard matrix are orthogonal already, and all-ones is one eigenvector away).
    for (const blockSteps of [0, undefined]) {
      const eye = F64.eye(6, 6);
      const { r: ri } = await check('identity', eye, [1, 1, 1, 1, 1, 1], { blockSteps });
      expect(Array.from(ri.s)).toEqual([1, 1, 1, 1, 1, 1]);
      const h2 = new F64([[1, 1], [1, -1]]);
      await check('Hadamard', h2.kroneckerProduct(h2).kroneckerProduct(h2), Array(8).fill(Math.sqrt(8)), { blockSteps });
      const { r } = await check('ones', F64.ones(5, 5), [5, 0, 0, 0, 0], { blockSteps });
      expect(r.s[1]! / r.s[0]!).toBeLessThan(1e-6);
    }
  });

  it('the Jacobi rounds alone (blockSteps: 0) meet the same promise', async () => {
    const { kinds } = await check('rounds only random', randn(64, 64, 1), undefined, { blockSteps: 0 });
    expect(kinds.filter((k) => k === 'block')).toEqual([]);
    expect(kinds.filter((k) => k === 'rounds').length).toBeGreaterThan(3);
    await check('rounds only ΔW', randn(64, 4, 40).mul(0.1).mmul(randn(4, 64, 41).mul(0.1)).add(randn(64, 64, 42).mul(1e-3)), undefined, { blockSteps: 0 });
  });

  it('block steps end a random 64×64 and a graded 128×96 without a sweep of rounds', async () => {
    // The eigenvectors of the float32 Gram matrix leave |cos| ~ 1e-3 (its rounding over the
    // spread of σ²); one more step from the new Gram matrix leaves ~1e-7 (SVD.md).
    const { kinds } = await check('block random', randn(64, 64, 1));
    expect(kinds).toEqual(['start', 'block', 'block']);
    const graded = Array.from({ length: 96 }, (_, i) => 10 ** (-3 * (i / 95)));
    const { kinds: k2 } = await check('block graded', withSpectrum(128, 96, graded, 100), graded);
    expect(k2.filter((k) => k === 'rounds')).toEqual([]);
  });

  it('where block steps stop making progress (rank 1 + 1e-6·noise), the rounds finish from where they left off', async () => {
    // The noise rows (~1e-6·σ₁) sit below the float32 Gram matrix's resolution of σ₁²: the
    // eigenvectors separate them from the large row but not from each other.
    const a = randn(64, 1, 130).mmul(randn(1, 64, 131)).add(randn(64, 64, 132).mul(1e-6));
    const { kinds } = await check('rank 1 + noise', a);
    expect(kinds.filter((k) => k === 'block').length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k === 'rounds').length).toBeGreaterThan(0);
    // The input tests/e2e/demos/svd-webgpu.spec.ts makes to run the rounds on WebGPU (its
    // generator, seed 11) takes this path too.
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const [u, v] = [Array.from({ length: 64 }, rnd), Array.from({ length: 64 }, rnd)];
    const e2e: Matrix = { rows: 64, cols: 64, data: new Float32Array(64 * 64) };
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) e2e.data[i * 64 + j] = u[i]! * v[j]! + 1e-6 * rnd();
    const seen: string[] = [];
    await svd(rt, e2e, { onSweep: ({ kind }) => seen.push(kind) });
    expect(seen).toContain('block');
    expect(seen).toContain('rounds');
  });

  it("the algebraic angle (WebGPU's: sqrt and division only) meets the same promise", async () => {
    // The rounds do all the work here (blockSteps: 0), so the angle formula is what is tested.
    const opts: SvdOptions = { angle: 'algebraic', blockSteps: 0 };
    await check('algebraic random', randn(64, 64, 1), undefined, opts);
    const graded = Array.from({ length: 32 }, (_, i) => 10 ** (-4 * (i / 31)));
    await check('algebraic graded', withSpectrum(48, 32, graded, 50), graded, opts);
    await check('algebraic B·A r=4', randn(32, 4, 42).mmul(randn(4, 32, 52)), undefined, opts);
    await check('algebraic ones', F64.ones(5, 5), [5, 0, 0, 0, 0], opts);
    const zero: Matrix = { data: new Float32Array(12), rows: 3, cols: 4 };
    expect(Array.from((await svd(rt, zero, opts)).s)).toEqual([0, 0, 0]);
    expect(rt.graphNames()).toContain('svd-jacobi-32rounds-64x128-algebraic');
  });

  it('symmetricEigenvectors: orthonormal rows V with A·v = λ·v, also for diagonal, zero and 1×1; null for NaN', () => {
    const eig = (n: number, a: number[]) => {
      const vt = symmetricEigenvectors(Float64Array.from(a), n)!;
      let orth = 0;
      let res = 0;
      for (let i = 0; i < n; i++) {
        const v = Array.from(vt.subarray(i * n, i * n + n));
        const av = v.map((_, r) => v.reduce((acc, x, k) => acc + a[r * n + k]! * x, 0));
        const lambda = v.reduce((acc, x, k) => acc + x * av[k]!, 0);
        for (let k = 0; k < n; k++) res = Math.max(res, Math.abs(av[k]! - lambda * v[k]!));
        for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(v.reduce((acc, x, k) => acc + x * vt[j * n + k]!, 0) - (i === j ? 1 : 0)));
      }
      return { orth, res };
    };
    const b = randn(40, 40, 120).to1DArray();
    const gram = Array.from({ length: 1600 }, (_, ij) => {
      const [i, j] = [Math.floor(ij / 40), ij % 40];
      return b.slice(i * 40, i * 40 + 40).reduce((acc, x, k) => acc + x * b[j * 40 + k]!, 0);
    });
    for (const [n, a] of [[40, gram], [3, [3, 0, 0, 0, 1, 0, 0, 0, 2]], [4, Array(16).fill(0)], [1, [5]], [2, [1, 1, 1, 1]]] as const) {
      const { orth, res } = eig(n, [...a]);
      expect(orth).toBeLessThan(1e-13);
      expect(res).toBeLessThan(1e-12 * Math.max(1, ...a.map(Math.abs)));
    }
    expect(symmetricEigenvectors(Float64Array.from([1, NaN, NaN, 1]), 2)).toBeNull();
  });

  it('the zero matrix gives σ = 0 and finite U, V', async () => {
    const m: Matrix = { data: new Float32Array(5 * 8), rows: 5, cols: 8 };
    const r = await svd(rt, m);
    expect(Array.from(r.s)).toEqual([0, 0, 0, 0, 0]);
    await measure(m, r); // shapes, order, finiteness
  });

  it('tiny and huge magnitudes (1e-30, 1e30) scale through', async () => {
    const a = randn(16, 12, 70);
    for (const k of [1e-30, 1e30]) {
      const m = toF32(a.clone().mul(k));
      const rep = await measure(m, await svd(rt, m));
      expectPromise(rep);
    }
  });

  it('512×512 with a known spectrum (the largest size promised on WASM)', async () => {
    // Known spectrum rather than ml-matrix's SVD as the oracle: a 512×512 float64 SVD in JS
    // blocks the test worker for tens of seconds on a busy machine.
    const graded = Array.from({ length: 512 }, (_, i) => 10 ** (-3 * (i / 511)));
    const a = withSpectrum(512, 512, graded, 80);
    await tick();
    await check('graded', a, graded);
  }, 600_000);

  it('names its graphs by shape and stops on an aborted signal', async () => {
    // (Run here: the runtime keeps only the most recent graphs' bytes.)
    await svd(rt, toF32(randn(8, 8, 91)), { blockSteps: 0 });
    await svd(rt, toF32(randn(8, 8, 92)));
    const names = rt.graphNames();
    expect(names).toContain('svd-init-8x8');
    expect(names).toContain('svd-block-8x16');
    expect(names).toContain('svd-jacobi-7rounds-8x16'); // a whole sweep (P − 1 = 7 ≤ 32) in one run
    expect(names).toContain('svd-jacobi-2rounds-8x16'); // the short runs, ⌈7/4⌉ rounds
    expect(names).toContain('svd-check-8x16');
    expect(names).toContain('svd-finish-8x8');
    const ctl = new AbortController();
    ctl.abort();
    await expect(svd(rt, toF32(randn(8, 8, 90)), { signal: ctl.signal })).rejects.toThrow();
  });
});
