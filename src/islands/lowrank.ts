/** §1 Low-rank intuition: true rank, noise, size and seed → spectrum, error and energy of ΔW. */
import type { LowRankResult } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import { lowRankView } from './views';

export function mount(slot: HTMLElement): void {
  mountDemo<'lowrank', LowRankResult, never>(slot, {
    demo: 'lowrank',
    usesEngine: true,
    runOnChange: true,
    run: (v, ctx) => workerRun('lowrank', { seed: v.seed, d: v.size, k: v.size, trueRank: v.trueRank, noise: v.noise }, ctx),
    view: (r) => lowRankView(r),
    errorParam: { rank: 'trueRank', shape: 'size', empty: 'size' },
  });
}
