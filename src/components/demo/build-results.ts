/**
 * The notebook's results, computed once per build in Node by the same engine (WASM backend)
 * and experiments the live demos run, so every figure slot has its picture before any
 * JavaScript runs. The promise is cached at module level: one run serves every page.
 */
import { createEngine } from '../../../demos/index';
import { runNotebook, SAVINGS_MODELS, savingsTable, type NotebookResults } from '../../../demos/experiments/index';
import type { DemoResults } from '../../islands/views';
import type { DemoId } from '../../islands/state';

let notebook: Promise<NotebookResults> | undefined;

export function notebookResults(): Promise<NotebookResults> {
  notebook ??= (async () => {
    const engine = await createEngine({ backend: 'wasm' });
    try {
      return await runNotebook(engine);
    } finally {
      await engine.dispose();
    }
  })();
  return notebook;
}

/** The build-time result shown in the slot `demo` (the notebook's settings). */
export async function buildResult<D extends DemoId>(demo: D): Promise<DemoResults[D]> {
  if (demo === 'savings') return savingsTable(SAVINGS_MODELS) as DemoResults[D];
  const r = await notebookResults();
  const byDemo: Omit<DemoResults, 'savings'> = {
    lowrank: r.lowRank,
    implementation: r.implementation,
    training: r.training,
    merging: r.merging,
    rank: r.rankSweep,
    adapters: r.adapters,
  };
  return byDemo[demo as Exclude<D, 'savings'>] as DemoResults[D];
}
