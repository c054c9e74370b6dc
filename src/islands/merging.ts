/** §4 Merging: train, merge, compare the separate and merged paths; the toggle flips the output shown. */
import type { MergingResult, TrainingProgress } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import { adapterDownloads } from './downloads';
import { trainedAdapter, trainingDiverged, trainingProgress, trainingSettings } from './training-common';
import { mergingView } from './views';

export function mount(slot: HTMLElement): void {
  mountDemo<'merging', MergingResult, TrainingProgress>(slot, {
    demo: 'merging',
    usesEngine: true,
    runOnChange: false,
    run: (v, ctx) => workerRun('merging', trainingSettings(v), ctx),
    view: (r, v) => mergingView(r, { mergingView: v.view }),
    downloads: (r) => adapterDownloads('merging', trainedAdapter(r)),
    // While it trains, show the loss curves; the merge figures replace them when it is done.
    progress: trainingProgress,
    diverged: trainingDiverged,
    errorParam: { rank: 'rank', lr: 'lr', steps: 'epochs', scaling: 'alpha' },
  });
}
