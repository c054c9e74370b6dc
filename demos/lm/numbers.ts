/**
 * The counts chapter 8 quotes, computed from the model's config (never typed into the prose):
 * parameters of the whole model, per layer and per module kind, and what LoRA trains for a spec.
 */
import { type LlamaConfig, type LoraSpec, TARGET_MODULES, type TargetModule, adapterParameterCount, moduleShape, parameterCount } from './model';

export interface ChapterNumbers {
  parameters: number;
  perLayer: number;
  embedding: number;
  /** out × in of each module kind, and its weight count summed over the layers */
  modules: Record<TargetModule, { out: number; in: number; total: number }>;
  lora: { spec: LoraSpec; trainable: number; fractionOfModel: number; adapterBytes: number };
  full: { trainable: number; trainingStateBytes: number };
}

export function chapterNumbers(c: LlamaConfig, spec: LoraSpec): ChapterNumbers {
  const modules = {} as ChapterNumbers['modules'];
  for (const m of TARGET_MODULES) {
    const [out, inp] = moduleShape(c, m);
    modules[m] = { out, in: inp, total: c.numLayers * out * inp };
  }
  const perLayer = 2 * c.hiddenSize + TARGET_MODULES.reduce((n, m) => n + modules[m].out * modules[m].in, 0);
  const parameters = parameterCount(c);
  const trainable = adapterParameterCount(c, spec);
  return {
    parameters,
    perLayer,
    embedding: c.vocabSize * c.hiddenSize,
    modules,
    lora: { spec, trainable, fractionOfModel: trainable / parameters, adapterBytes: 4 * trainable },
    // parameters, gradients and Adam's two moments, float32
    full: { trainable: parameters, trainingStateBytes: 16 * parameters },
  };
}
