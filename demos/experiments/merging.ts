/**
 * §4 Adapter merging: W_merged = W₀ + s·B·A gives the same outputs as the separate adapter path
 * with one matmul; the learned ΔW has rank r, full fine-tuning's ΔW does not.
 *
 * It needs §3's trained adapter and W_full: pass §3's result as `trained` (the notebook's order),
 * or it trains them again. Either way x_test is drawn after §3's draws, as in the notebook.
 */
import type { Engine } from '../types';
import { axpy, deltaW, fromPlain, matmulT, matrix, toPlain } from './matrix';
import { allclose, maxAbsDiff } from './compare';
import { runClock } from './clock';
import { throwIfAborted } from '../errors';
import { MERGING_DEFAULTS, TRAINING_DEFAULTS } from './defaults';
import { trainingComparison, trainingSetup } from './training';
import type { ExperimentOptions, MergingResult, MergingSettings, TrainingProgress, TrainingResult, TrainingSettings } from './types';


const TRAINING_KEYS = Object.keys(TRAINING_DEFAULTS) as (keyof TrainingSettings)[];

export async function adapterMerging(
  engine: Engine,
  settings: Partial<MergingSettings> = {},
  opts: ExperimentOptions<TrainingProgress> & { trained?: TrainingResult } = {},
): Promise<MergingResult> {
  const prior = opts.trained;
  const s: MergingSettings = { ...MERGING_DEFAULTS, ...prior?.settings, ...settings };
  const clock = runClock(engine);
  if (prior) {
    const differs = TRAINING_KEYS.filter((key) => prior.settings[key] !== s[key]);
    if (differs.length) throw new Error(`adapterMerging: the trained result was run with other ${differs.join(', ')}`);
  }
  const trainingSettings = Object.fromEntries(TRAINING_KEYS.map((key) => [key, s[key]])) as unknown as TrainingSettings;
  const trainingResult = prior?.trained ? prior : await trainingComparison(engine, trainingSettings, opts);
  const state = trainingResult.trained!;
  throwIfAborted(opts.signal);

  // x_test comes after §3's draws (data, then the adapter's A).
  const d = s.dModel;
  const g = trainingSetup(trainingSettings).generator;
  const xTest = matrix(s.testTokens, d, g.randn(1, s.testTokens, d));

  const w0 = fromPlain(state.w0);
  const a = fromPlain(state.a);
  const b = fromPlain(state.b);
  const wMerged = await engine.merge(w0, a, b, state.scaling);
  const outSeparate = await engine.loraForward(xTest, w0, a, b, state.scaling);
  const outMerged = matmulT(xTest, wMerged); // one matmul, no adapter
  const dw = deltaW(a, b, state.scaling);
  const lora = await engine.svd(dw);
  const full = await engine.svd(axpy(fromPlain(state.wFull), w0, -1));

  return {
    settings: s,
    maxDiff: maxAbsDiff(outSeparate.data, outMerged.data),
    equal: allclose(outSeparate.data, outMerged.data, 1e-5),
    outSeparate: toPlain(outSeparate),
    outMerged: toPlain(outMerged),
    deltaW: toPlain(dw),
    spectrumLora: Array.from(lora.s),
    spectrumFull: Array.from(full.s),
    rank: s.rank,
    adapter: { a: state.a, b: state.b, scaling: state.scaling },
    info: clock.done(),
  };
}
