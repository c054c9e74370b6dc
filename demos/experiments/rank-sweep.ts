/**
 * §5 Effect of rank: the §3 task learned by adapters of rank 1, 2, 4, …, each started from the
 * same seed (the notebook reseeds before every init_lora), final loss and parameters per rank.
 *
 * With α fixed, s = α/r changes the effective step size with r, so under SGD the sweep is not
 * monotone; Adam (or the α/√r rule) shows the elbow at the target's true rank.
 */
import { TorchGenerator } from '../random';
import type { Engine } from '../types';
import { initLora } from './implementation';
import { inSettings, throwIfAborted } from '../errors';
import { runClock } from './clock';
import { scalingFor } from '../scaling';
import { RANK_SWEEP_DEFAULTS } from './defaults';
import { TRAINING_INPUTS, trainingSetup } from './training';
import type { ExperimentOptions, RankSweepProgress, RankSweepResult, RankSweepRow, RankSweepSettings } from './types';


export async function rankSweep(
  engine: Engine,
  settings: Partial<RankSweepSettings> = {},
  opts: ExperimentOptions<RankSweepProgress> = {},
): Promise<RankSweepResult> {
  const s: RankSweepSettings = { ...RANK_SWEEP_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const d = s.dModel;
  // The data are §3's (the notebook does not redraw them); `rank` only sets §3's own adapter draw.
  const { x, y, w0 } = trainingSetup(s);
  const fullParams = d * d;

  const rows: RankSweepRow[] = [];
  for (const r of s.ranks) {
    throwIfAborted(opts.signal);
    const { a, b } = initLora(new TorchGenerator(s.seed), d, d, r);
    // Every engine input about the adapter's rank came from the list of ranks.
    const run = await inSettings({ ...TRAINING_INPUTS, rank: 'ranks' }, () =>
      engine.trainLora({
        x, y, w: w0, a0: a, b0: b,
        scaling: scalingFor(s.scalingRule, s.alpha, r),
        lr: s.lr, steps: s.epochs, optimizer: s.optimizer, signal: opts.signal,
      }),
    );
    const losses = Array.from(run.losses);
    const params = 2 * r * d;
    // The notebook prints the loss of the last epoch (computed before its update).
    const row = { rank: r, finalLoss: losses[losses.length - 1] ?? NaN, params, percentOfFull: (100 * params) / fullParams, losses };
    rows.push(row);
    opts.onProgress?.({
      row,
      rowsDone: rows.length,
      rowsTotal: s.ranks.length,
      result: { settings: s, rows: [...rows], fullParams, info: clock.done() },
      steps: rows.length * s.epochs,
    });
  }
  return { settings: s, rows, fullParams, info: clock.done() };
}
