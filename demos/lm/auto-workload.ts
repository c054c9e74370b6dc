/**
 * Auto's workload for the language model (demos/auto-workloads.ts): one LoRA training step of a
 * LLaMA shaped like chapter 8's (AUTO_LM_CONFIG, checked against the committed config.json by
 * auto-workload.test.ts) at the demo's defaults (targets, rank, batch), one step per graph run.
 * The weights are seeded noise: Auto must decide before the model's 10 MB have arrived, and a
 * step's time does not depend on the values.
 */
import { TorchGenerator } from '../random';
import type { Engine } from '../types';
import type { Workload } from '../auto-workloads';
import { LM_DEFAULTS } from './defaults';
import { LanguageModelEngine } from './engine';
import { type LanguageModel, type LlamaConfig, weightNames } from './model';
import { weightShape } from './graph';
import { trainLanguageModel } from './train';

/** The shape of public/models/austen-char-llama/config.json. */
export const AUTO_LM_CONFIG: LlamaConfig = { vocabSize: 84, hiddenSize: 128, intermediateSize: 344, numLayers: 4, numHeads: 4, maxPositions: 64, rmsNormEps: 1e-5, ropeTheta: 10000 };

export function randomLanguageModel(c: LlamaConfig, seed: number): LanguageModel {
  const g = new TorchGenerator(seed);
  const weights = new Map(
    weightNames(c).map((name) => {
      const shape = weightShape(c, name);
      const data = name.endsWith('norm.weight') ? new Float32Array(shape[0]!).fill(1) : g.randn(...shape).map((v) => v * 0.02);
      return [name, { shape, data }] as const;
    }),
  );
  return { config: c, vocab: Array.from({ length: c.vocabSize }, (_, i) => String.fromCharCode(32 + i)), weights };
}

export function languageModelWorkload(engine: Engine): Workload {
  const c = AUTO_LM_CONFIG;
  const model = randomLanguageModel(c, 0);
  const lm = LanguageModelEngine.on(engine);
  const tokens = new Int32Array(4 * c.maxPositions).map((_, i) => (i * 7) % c.vocabSize);
  const spec = { targets: LM_DEFAULTS.targets, rank: LM_DEFAULTS.rank, alpha: LM_DEFAULTS.alpha, useRslora: false };
  return {
    steps: 1,
    step: async () => {
      await trainLanguageModel(lm, { model, tokens, mode: spec, lr: LM_DEFAULTS.lr, steps: 1, batch: LM_DEFAULTS.batch, context: c.maxPositions, stepsPerRun: 1 });
    },
  };
}
