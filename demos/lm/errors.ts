/**
 * Typed errors of the language-model engine. Divergence and abort reuse demos/errors.ts
 * (TrainingDivergedError, AbortError); EngineInputError stays the chapters 2–7 error.
 */

/** What was wrong with a language-model input. */
export type LmInputCode =
  | 'targets' // no target module, or an unknown one
  | 'rank' // rank < 1, not whole, or above the adapted layer's width
  | 'alpha' // α not a finite number > 0
  | 'lr' // learning rate ≤ 0 or non-finite
  | 'steps' // steps outside 1..MAX_LM_STEPS
  | 'batch' // batch outside 1..MAX_LM_BATCH
  | 'stepsPerRun'
  | 'vocabulary' // a character the model has no token for
  | 'prompt' // empty prompt, bad length or temperature
  | 'text' // training / held-out text shorter than one window
  | 'model' // the model files are not a LLaMA the engine can run
  | 'usage' // a command-line option the CLI does not know, or without its value
  | 'pattern' // a rank_pattern / alpha_pattern entry that is not a valid regex or value, or matches no target
  | 'init' // an init_lora_weights the engine does not implement, or one that needs what is missing
  | 'loraplusRatio' // LoRA+'s ratio not a finite number > 0
  | 'adapter'; // an adapter folder the engine cannot read (with what it cannot read)

export class LmInputError extends Error {
  override readonly name = 'LmInputError';
  constructor(
    readonly code: LmInputCode,
    message: string,
  ) {
    super(message);
  }
}
