/**
 * The workload Auto times for each graph family (auto-backend.ts): a few steps of what the
 * family really runs, at the size its demos use, so that the faster backend on it is the
 * faster backend for the reader. Values are seeded noise: a step's time does not depend on them.
 */
import type { GraphFamily } from './auto-backend';
import { TorchGenerator } from './random';
import type { Engine, Matrix } from './types';
import { TRAINING_DEFAULTS } from './experiments/defaults';

/** One step of a family's workload, and how many optimizer steps it makes. */
export interface Workload {
  step(): Promise<void>;
  /** Optimizer steps per `step()` call: the time is divided by this to give ms/step. */
  steps: number;
}

const randn = (g: TorchGenerator, rows: number, cols: number, scale = 1): Matrix => {
  const data = g.randn(rows, cols);
  for (let i = 0; i < data.length; i++) data[i]! *= scale;
  return { data, rows, cols };
};

/**
 * The notebook's training section at its defaults (N = samples × sequence = 1600 rows,
 * k = d = 32, r = 4): one 5-step run of `trainLora`, the middle of the three graph sizes a run uses.
 */
function notebookWorkload(engine: Engine): Workload {
  const s = TRAINING_DEFAULTS;
  const n = s.nSamples * s.seqLen;
  const g = new TorchGenerator(0);
  const x = randn(g, n, s.dModel);
  const y = randn(g, n, s.dModel);
  const w = randn(g, s.dModel, s.dModel, 0.1);
  const a0 = randn(g, s.rank, s.dModel, 0.1);
  const b0 = { data: new Float32Array(s.dModel * s.rank), rows: s.dModel, cols: s.rank };
  const steps = 5;
  return {
    steps,
    step: async () => {
      await engine.trainLora({ x, y, w, a0, b0, scaling: s.alpha / s.rank, lr: s.lr, steps, optimizer: s.optimizer });
    },
  };
}

/** The workload of a family on an engine (the language model's is loaded on first use: it pulls in demos/lm). */
export async function workloadOf(family: GraphFamily, engine: Engine): Promise<Workload> {
  if (family === 'notebook') return notebookWorkload(engine);
  const { languageModelWorkload } = await import('./lm/auto-workload');
  return languageModelWorkload(engine);
}
