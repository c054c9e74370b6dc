/**
 * The engine's public entry: the site (src/) imports demos/ only from here, which
 * src/engine-boundary.test.ts enforces. It re-exports the engine, its errors and types, the
 * experiments table and the experiments' helpers that pages show (printouts, defaults), and
 * the adapter export.
 */
import type { Engine, EngineOptions } from './types';

export { planRuns, STEPS_PER_RUN } from './plan-runs';

/**
 * Create an engine (demos/engine.ts). The engine, its graphs and the ONNX protobuf code load
 * on first use, so a page that imports this entry only for the experiments table, the
 * printouts or a type does not download them.
 */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  return (await import('./engine')).createEngine(opts);
}
export { MAX_STEPS } from './validate';
export { BackendUnavailableError, SettingError, TrainingBrokeDownError, TrainingDivergedError, isAbortError, type InputCode } from './errors';
export type {
  Backend, Engine, EngineOptions, Matrix, Optimizer, Progress, SvdResult, TrainFullOptions, TrainLoraOptions,
} from './types';
export * from './experiments/index';
export {
  AUTO_CHOICE_VERSION, GRAPH_FAMILIES, choiceKey, decideBackend, decisionWords, forgetDecision, msText, parseDecision, readDecision, writeDecision,
  type AutoChoice, type AutoDecision, type ChoiceStore, type GraphFamily, type Measurement,
} from './auto-backend';
export { loraSafetensors, type LoraAdapter } from './export/safetensors';

// Chapter 8's language model: what pages need without loading its graphs (counts, caps,
// defaults, types, its input error); the engine itself loads inside the experiment.
export { chapterNumbers, type ChapterNumbers } from './lm/numbers';
export { LM_DEFAULTS, MAX_LM_BATCH, MAX_LM_STEPS, MAX_LM_STEPS_PER_RUN } from './lm/defaults';
export { MODEL_NAME } from './lm/files';
export { TARGET_MODULES, parseModel, parameterCount, adapterParameterCount, type LlamaConfig, type LoraSpec, type TargetModule } from './lm/model';
export { MAX_NEW_TOKENS } from './lm/sample';
export type { LmDemoFrame, LmSwitch } from './lm/demo-run';
// Chapter 10: the combination types of PEFT's add_weighted_adapter (the merging lab's choices).
export { COMBINATION_TYPES, type CombinationType } from './lm/variants/combine';

// The adapter inspector (Hu et al. §7 on any PEFT LoRA adapter) and the PEFT folder reader it
// runs on: plain TypeScript, no ONNX, so the inspector page's worker loads only these.
export { readPeftAdapter, type PeftAdapter, type PeftModule, type SkippedTensor } from './peft/index';
export {
  GRID_MAX, inspectAdapters, inspectionJson, layoutOf, naturalOrder,
  type AdapterInspection, type AdapterSummary, type DoraMagnitude, type InspectProgress, type ModuleInspection, type ModuleSimilarity,
} from './inspect/index';
// Chapter 9's committed study (scripts/lm/practice-run.ts), read by its figures and numbers.
import practiceRunJson from './lm/results/practice.json';
import type { PracticeRun } from './experiments/practice-study';
export const PRACTICE_RUN = practiceRunJson as unknown as PracticeRun;
export type { HeldOut, MemoryBreakdown, Point, PointSpec } from './lm/practice';
