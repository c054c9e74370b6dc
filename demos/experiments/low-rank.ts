/**
 * §1 Low-rank approximation intuition: a synthetic fine-tuning update ΔW = B·A + noise of true
 * rank 4, its singular values, the error of its best rank-r approximations and the energy they keep.
 */
import { TorchGenerator } from '../random';
import type { Engine } from '../types';
import { matmul, matrix, scaled } from './matrix';
import { runClock } from './clock';
import { throwIfAborted } from '../errors';
import { isWhole, need } from '../validate';
import { LOW_RANK_DEFAULTS } from './defaults';
import type { ExperimentOptions, LowRankResult, LowRankSettings } from './types';


export async function lowRankIntuition(
  engine: Engine,
  settings: Partial<LowRankSettings> = {},
  opts: ExperimentOptions = {},
): Promise<LowRankResult> {
  const s: LowRankSettings = { ...LOW_RANK_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const { d, k, trueRank: r } = s;
  // The engine would happily factor a "rank 5" product of a 4×4 matrix; its spectrum would be
  // meaningless (σ_5 does not exist), so the settings are checked here.
  for (const key of ['d', 'k'] as const) {
    need(isWhole(s[key], 1, Infinity), key, `${key} = ${s[key]} must be a whole number of at least 1.`);
  }
  need(isWhole(r, 1, Math.min(d, k)), 'trueRank', `The true rank (${r}) must be a whole number from 1 to min(d, k) = ${Math.min(d, k)}.`);

  // The notebook's draws: W_pretrained (unused, but it moves the stream), B, A, the noise.
  const g = new TorchGenerator(s.seed);
  g.randn(d, k);
  const b = matrix(d, r, scaled(g.randn(d, r), 0.1));
  const a = matrix(r, k, scaled(g.randn(r, k), 0.1));
  const dw = matmul(b, a);
  const noise = scaled(g.randn(d, k), s.noise);
  for (let i = 0; i < dw.data.length; i++) dw.data[i]! += noise[i]!; // ΔW += noise (float32)

  throwIfAborted(opts.signal);
  const { u, s: sigma, vt } = await engine.svd(dw);
  throwIfAborted(opts.signal);

  // relErrors[r−1] = ‖ΔW − U_r Σ_r V_rᵀ‖_F / ‖ΔW‖_F, by reconstruction as the notebook does
  // (so the float32 floor of the SVD shows at full rank, instead of an exact 0 on a log axis).
  const p = sigma.length;
  const approx = new Float64Array(d * k);
  let normDw = 0;
  for (const x of dw.data) normDw += x * x;
  normDw = Math.sqrt(normDw);
  const relErrors: number[] = [];
  for (let j = 0; j < p; j++) {
    const sj = sigma[j]!;
    for (let i = 0; i < d; i++) {
      const ui = u.data[i * u.cols + j]! * sj;
      for (let c = 0; c < k; c++) approx[i * k + c]! += ui * vt.data[j * vt.cols + c]!;
    }
    let err = 0;
    for (let i = 0; i < d * k; i++) err += (dw.data[i]! - approx[i]!) ** 2;
    relErrors.push(Math.sqrt(err) / normDw);
  }

  // energy[i] = Σ_{j≤i} σ_j² / Σ σ²
  const sq = Array.from(sigma, (x) => x * x);
  const total = sq.reduce((acc, x) => acc + x, 0);
  let cum = 0;
  const energy = sq.map((x) => (cum += x) / total);
  const idx99 = energy.findIndex((e) => e >= 0.99);

  return {
    settings: s,
    singularValues: Array.from(sigma),
    relErrors,
    energy,
    rankFor99: idx99 < 0 ? p : idx99 + 1,
    info: clock.done(),
  };
}
