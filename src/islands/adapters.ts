/** §6 Multi-adapter switching: pick none / task A / task B and see the output and its norm change. */
import type { AdaptersResult } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import { adaptersView } from './views';

export function mount(slot: HTMLElement): void {
  mountDemo<'adapters', AdaptersResult, never>(slot, {
    demo: 'adapters',
    usesEngine: true,
    runOnChange: true,
    run: (v, ctx) => workerRun('adapters', { seed: v.seed, rank: v.rank, alpha: v.alpha }, ctx),
    view: (r, v) => adaptersView(r, { adapter: v.adapter }),
    errorParam: { rank: 'rank', scaling: 'alpha' },
  });
}
