/**
 * The engine's public entry. Pages (src/) import only from here.
 */
export { createEngine, planRuns, STEPS_PER_RUN } from './engine';
export { MAX_STEPS } from './validate';
export {
  BackendUnavailableError, EngineInputError, TrainingDivergedError, type EngineInputCode,
} from './errors';
export type {
  Backend, Engine, EngineOptions, Matrix, Optimizer, Progress, SvdResult, TrainFullOptions, TrainLoraOptions,
} from './types';
