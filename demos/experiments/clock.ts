/** The wall clock of an experiment's run, and the facts every result carries (RunInfo). */
import type { Engine } from '../types';
import type { RunInfo } from './types';

/** Starts the clock of a run; `done()` gives its RunInfo. */
export function runClock(engine: Pick<Engine, 'backend'>): { done(): RunInfo } {
  const t0 = performance.now();
  return { done: () => ({ backend: engine.backend, ms: performance.now() - t0 }) };
}
