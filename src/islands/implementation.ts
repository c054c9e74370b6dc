/** §2 Implementation: rank, α and sizes → shapes, parameter counts and the W₀, A, B, ΔW pictures. */
import type { ImplementationResult } from '../../demos/experiments/types';
import { mountDemo, workerRun } from './controller';
import { implementationView } from './views';

export function mount(slot: HTMLElement): void {
  mountDemo<'implementation', ImplementationResult, never>(slot, {
    demo: 'implementation',
    usesEngine: true,
    runOnChange: true,
    run: (v, ctx) =>
      workerRun('implementation', { seed: v.seed, dIn: v.dIn, dOut: v.dOut, rank: v.rank, alpha: v.alpha, scalingRule: v.scalingRule }, ctx),
    view: (r) => implementationView(r),
    errorParam: { rank: 'rank', scaling: 'alpha', shape: 'dIn' },
  });
}
