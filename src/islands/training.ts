/** §3 Training: LoRA and full fine-tuning loss curves, drawn live; Run, Cancel, Reset. */
import type { TrainingProgress, TrainingResult } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import { adapterDownloads } from './downloads';
import { trainedAdapter, trainingDiverged, trainingProgress, trainingSettings } from './training-common';
import { trainingView } from './views';

export function mount(slot: HTMLElement): void {
  mountDemo<'training', TrainingResult, TrainingProgress>(slot, {
    demo: 'training',
    usesEngine: true,
    runOnChange: false,
    run: (v, ctx) => workerRun('training', trainingSettings(v), ctx),
    view: (r) => trainingView(r),
    progress: trainingProgress,
    diverged: trainingDiverged,
    errorParam: { rank: 'rank', lr: 'lr', steps: 'epochs', scaling: 'alpha' },
    downloads: (r) => adapterDownloads('training', trainedAdapter(r)),
  });
}
