/** §5 Effect of rank: one training run per rank; each rank's point appears as its run finishes. */
import { RANK_SWEEP_DEFAULTS as D, formatRankSweep, type RankSweepResult } from '../../demos/index';
import { rankFigure } from '../charts/figures';
import type { View } from '../demo-kit/view';
import { alpha, epochs, intList, lr, optimizer, scalingRule, seed } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';
import { ADAM } from './parts/training';

export function rankSweepView(r: RankSweepResult): View {
  return { panels: rankFigure(r), printout: r.rows.length ? formatRankSweep(r) : '' };
}

const RANK_NOTE =
  'With α fixed, the scaling α/r shrinks as r grows, so every rank trains at a different effective step ' +
  'size; under SGD that, not the rank, decides the ranking, which is why the notebook\'s sweep is not ' +
  'monotone. With Adam the sweep shows the real elbow at the true rank; α/√r (rsLoRA) is the published ' +
  'fix for the step-size effect.';

export const spec = defineDemo({
  id: 'rank',
  experiment: 'rankSweep',
  python: 'rank.py',
  params: {
    ranks: intList('Ranks', D.ranks, 1, D.dModel, 8, 'Comma-separated, e.g. 1, 2, 4, 8; run in increasing order, each once'),
    optimizer: optimizer(D.optimizer),
    lr: lr(D.lr),
    epochs: epochs(D.epochs, 2000),
    scalingRule: scalingRule(D.scalingRule),
    alpha: alpha(D.alpha),
    seed: seed(D.seed),
  },
  presets: [{ ...ADAM, note: RANK_NOTE }],
  settings: (v) => ({ ranks: v.ranks, optimizer: v.optimizer, lr: v.lr, epochs: v.epochs, scalingRule: v.scalingRule, alpha: v.alpha, seed: v.seed }),
  view: rankSweepView,
  live: {
    view: (p) => rankSweepView(p.result),
    label: (p) => `${p.rowsDone} of ${p.rowsTotal} ranks trained (last: r = ${p.row.rank})`,
  },
  runButtons: true,
});
