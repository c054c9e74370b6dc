/** §1 Low-rank intuition: true rank, noise, size and seed → spectrum, error and energy of ΔW. */
import { LOW_RANK_DEFAULTS as D, type LowRankResult } from '../../demos/index';
import { lowRankFigure } from '../charts/figures';
import { formatValue } from '../charts/svg';
import type { View } from '../demo-kit/view';
import { int, num, seed } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';

export function lowRankView(r: LowRankResult): View {
  const { d, k, trueRank, noise } = r.settings;
  const printout = [
    `ΔW: ${d}x${k}, true rank ${trueRank}, noise ${noise}`,
    `  σ_1 = ${formatValue(r.singularValues[0] ?? NaN)}, σ_${trueRank} = ${formatValue(r.singularValues[trueRank - 1] ?? NaN)}, σ_${trueRank + 1} = ${formatValue(r.singularValues[trueRank] ?? NaN)}`,
    `  relative error at r = ${trueRank}: ${formatValue(r.relErrors[trueRank - 1] ?? NaN)}`,
    `  99% of the energy with r = ${r.rankFor99}`,
  ].join('\n');
  return { panels: lowRankFigure(r), printout };
}

export const spec = defineDemo({
  id: 'lowrank',
  experiment: 'lowRank',
  python: 'low_rank.py',
  params: {
    trueRank: int('True rank', D.trueRank, 1, 256),
    noise: num('Noise', D.noise, 0, 10),
    // The notebook's ΔW is square: one control sets d and k.
    size: int('Size d = k', D.d, 2, 256),
    seed: seed(D.seed),
  },
  check: (v) => (v.trueRank > v.size ? { trueRank: `The true rank (${v.trueRank}) cannot exceed the size d = k = ${v.size}.` } : {}),
  settings: (v) => ({ seed: v.seed, d: v.size, k: v.size, trueRank: v.trueRank, noise: v.noise }),
  controlFor: { d: 'size', k: 'size' },
  view: lowRankView,
  runButtons: false,
});
