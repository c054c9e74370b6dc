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
export {
  BackendUnavailableError, EngineInputError, SettingError, TrainingDivergedError, isAbortError,
  type EngineInput, type EngineInputCode,
} from './errors';
export type {
  Backend, Engine, EngineOptions, Matrix, Optimizer, Progress, SvdResult, TrainFullOptions, TrainLoraOptions,
} from './types';
export * from './experiments/index';
export { loraSafetensors, type LoraAdapter } from './export/safetensors';
