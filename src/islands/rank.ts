/** §5 Effect of rank: one training run per rank; each rank's point appears as its run finishes. */
import { RANK_SWEEP_DEFAULTS } from '../../demos/experiments/rank-sweep';
import type { RankSweepProgress, RankSweepResult, RankSweepRow } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import type { Values } from './state';
import { rankView } from './views';

const settingsOf = (v: Values<'rank'>) => ({
  ranks: v.ranks,
  optimizer: v.optimizer,
  lr: v.lr,
  epochs: v.epochs,
  scalingRule: v.scalingRule,
  alpha: v.alpha,
  seed: v.seed,
});

export function mount(slot: HTMLElement): void {
  mountDemo<'rank', RankSweepResult, RankSweepProgress>(slot, {
    demo: 'rank',
    usesEngine: true,
    runOnChange: false,
    run: (v, ctx) => workerRun('rank', settingsOf(v), ctx),
    view: (r) => rankView(r),
    progress: (p, v, acc) => {
      // One row per rank: a run restarted on a fresh worker reports its ranks again.
      const before = ((acc as RankSweepRow[] | undefined) ?? []).filter((r) => r.rank !== p.row.rank);
      const rows: RankSweepRow[] = [...before, p.row];
      const settings = { ...RANK_SWEEP_DEFAULTS, ...settingsOf(v) };
      return {
        acc: rows,
        view: rankView({ settings, rows, fullParams: settings.dModel * settings.dModel, info: { backend: 'wasm', ms: 0 } }),
        steps: rows.length * v.epochs,
        label: `${p.rowsDone} of ${p.rowsTotal} ranks trained (last: r = ${p.row.rank})`,
      };
    },
    errorParam: { rank: 'ranks', lr: 'lr', steps: 'epochs', scaling: 'alpha' },
  });
}
