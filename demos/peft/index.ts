/**
 * Reading PEFT LoRA adapters for any base model: the config as PEFT interprets it (patterns,
 * rsLoRA, DoRA) and the adapted modules, decoded lazily from float32/float16/bfloat16 files.
 */
export { parseAdapterConfig, patternKey, moduleHyper, type PeftLoraConfig } from './config';
export { readPeftAdapter, type PeftAdapter, type PeftModule, type SkippedTensor } from './adapter';
