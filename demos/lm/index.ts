/**
 * Public entry of the language-model engine (chapter 8): a character-level LlamaForCausalLM in
 * ONNX ops, LoRA (or full) fine-tuning through a small reverse-mode autodiff, PEFT export.
 */
export { Tape, type Tensor } from './autodiff';
export { LanguageModelEngine, oneHot, type Batch } from './engine';
export { mergeAdapter, mergedLogitsDifference } from './merge';
export {
  LORA_INITS, TARGET_MODULES, adapterParameterCount, copySpec, decode, doraMagnitude, drawPeftInit, encode, initAdapter, kaimingBound, loraScaling, moduleAlpha, moduleRank, moduleScaling,
  moduleShape, modulePath, parameterCount, parseConfig, parseModel,
  type Adapter, type LanguageModel, type LlamaConfig, type LoraInit, type LoraPair, type LoraSpec, type TargetModule, type Weight,
} from './model';
export {
  baseWeightBytes, exportAdapter, pissaInit, prepareVariant, quantizeBase, trainVariant, variantFacts, type LoraVariant, type PreparedVariant, type VariantFacts, type VariantTrainResult,
} from './variants/prepare';
export { svd64, type Svd64 } from '../linalg64';
export { peftAdapterConfig, peftAdapterFiles, peftAdapterSafetensors, readPeftAdapter, type PeftAdapterConfig } from './peft';
export { MAX_NEW_TOKENS, continuePrompt, type SampleOptions } from './sample';
export { BREAKDOWN_STEPS, adapterGradients, breakdownOf, sampleBatch, trainLanguageModel, validateSpec, type LmTrainOptions, type LmTrainResult } from './train';
export { LM_DEFAULTS, MAX_LM_BATCH, MAX_LM_STEPS, MAX_LM_STEPS_PER_RUN } from './defaults';
export { LANGUAGE_MODEL_FILES, LM_TASKS, MODEL_NAME, PUBLIC_DIR, type LmTask } from './files';
export { evaluateLoss, heldOutWindows } from './evaluate';
export { chapterNumbers, type ChapterNumbers } from './numbers';
export { runLanguageModelDemo, switchAdapters, type LmDemoFrame, type LmDemoOptions, type LmSwitch } from './demo-run';
export type { Trained } from './train';
export {
  NF4_BLOCKSIZE, NF4_CODE, dequantizeNf4, nf4Bytes, quantizeModelNf4, quantizeNf4,
  type Nf4Tensor, type QuantizedModel, type QuantizedModelMemory,
} from './variants/nf4';
export {
  COMBINATION_TYPES, combineAdapters, combinedDelta, linearModulePaths,
  type CombinationType, type CombineInput, type CombineOptions, type CombinedAdapter,
} from './variants/combine';
export { heldOut, meanAndSe, nf4FrozenBytes, pairedDifference, runPoint, trainingMemory, type HeldOut, type MemoryBreakdown, type Point, type PointSpec, type PracticeTexts } from './practice';
