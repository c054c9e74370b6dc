/**
 * §6 Multi-adapter switching: one frozen W_base and two task adapters; switching tasks is
 * choosing which (A, B) to add, and each adapter costs a fraction of the base matrix's storage.
 */
import { TorchGenerator } from '../random';
import type { Engine, Matrix } from '../types';
import { initLora } from './implementation';
import { frobenius, matmulT, matrix, scaled, toPlain } from './matrix';
import { runClock } from './clock';
import { scalingFor } from '../scaling';
import { inSettings, throwIfAborted } from '../errors';
import { ADAPTERS_DEFAULTS } from './defaults';
import type { AdapterChoice, AdaptersResult, AdaptersSettings, ExperimentOptions } from './types';


const ADAPTERS_INPUTS = { rank: 'rank', scaling: 'alpha' } as const;

/**
 * A hand-made task adapter, as the notebook builds it: init_lora, then the first column of B
 * and the first row of A replaced by c·N(0, 1) draws (the row negated for task B).
 */
function taskAdapter(g: TorchGenerator, d: number, rank: number, c: number, negateRow: boolean): { a: Matrix; b: Matrix } {
  const { a, b } = initLora(g, d, d, rank);
  const col = scaled(g.randn(d), c);
  for (let i = 0; i < d; i++) b.data[i * rank] = col[i]!;
  const row = scaled(g.randn(d), negateRow ? -c : c); // −(z·c) = (−z)·c exactly
  a.data.set(row, 0);
  return { a, b };
}

export async function multiAdapter(
  engine: Engine,
  settings: Partial<AdaptersSettings> = {},
  opts: ExperimentOptions = {},
): Promise<AdaptersResult> {
  const s: AdaptersSettings = { ...ADAPTERS_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const d = s.dModel;
  const scaling = scalingFor(s.scalingRule, s.alpha, s.rank);

  // Draw order: W_base, task A (init_lora, B column, A row), task B (likewise), x_test.
  const g = new TorchGenerator(s.seed);
  const wBase = matrix(d, d, scaled(g.randn(d, d), 0.1));
  const taskA = taskAdapter(g, d, s.rank, 0.5, false);
  const taskB = taskAdapter(g, d, s.rank, 0.3, true);
  const xTest = matrix(s.testTokens, d, g.randn(1, s.testTokens, d));

  throwIfAborted(opts.signal);
  const outputs: Record<AdapterChoice, Matrix> = {
    none: matmulT(xTest, wBase),
    taskA: await inSettings(ADAPTERS_INPUTS, () => engine.loraForward(xTest, wBase, taskA.a, taskA.b, scaling)),
    taskB: await inSettings(ADAPTERS_INPUTS, () => engine.loraForward(xTest, wBase, taskB.a, taskB.b, scaling)),
  };
  const bytes = 4; // float32
  return {
    settings: s,
    norms: { none: frobenius(outputs.none.data), taskA: frobenius(outputs.taskA.data), taskB: frobenius(outputs.taskB.data) },
    outputs: { none: toPlain(outputs.none), taskA: toPlain(outputs.taskA), taskB: toPlain(outputs.taskB) },
    storage: { adapterKB: (s.rank * d * 2 * bytes) / 1024, baseKB: (d * d * bytes) / 1024 },
    info: clock.done(),
  };
}
