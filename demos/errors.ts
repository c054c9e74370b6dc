/**
 * The engine's typed errors. Every message is written for a reader of the tutorial:
 * it names the setting, its shape or value, and what it should have been.
 */

/**
 * What was wrong with an input, beside which setting it was:
 * - matrix engine: 'shape' | 'empty' | 'nonfinite' | 'rank' | 'lr' | 'steps' | 'scaling' | 'optimizer'
 * - language model: 'targets' | 'alpha' | 'batch' | 'stepsPerRun' | 'vocabulary' (a character the
 *   model has no token for) | 'prompt' | 'text' (a text shorter than one window) | 'model' (files
 *   that are not a LLaMA the engine runs) | 'usage' (a command-line option the CLI does not know)
 * - an experiment's own checks use the setting's name.
 */
export type InputCode =
  | 'shape' | 'empty' | 'nonfinite' | 'rank' | 'lr' | 'steps' | 'scaling' | 'optimizer'
  | 'targets' | 'alpha' | 'batch' | 'stepsPerRun' | 'vocabulary' | 'prompt' | 'text' | 'model' | 'usage'
  | (string & {});

/**
 * Bad input, found before anything runs: the engine's one input error. `setting` names what it is
 * about: an engine argument ('x', 'a0', 'lr', …) when the engine is called directly, or the key in
 * an experiment's settings (`epochs`, `trueRank`, `prompt`, …) once `inSettings` has translated it,
 * so a page puts the message next to the control that feeds it without reading the message.
 * `code` says what was wrong (see InputCode); it defaults to the setting.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
  readonly code: InputCode;
  constructor(
    readonly setting: string,
    message: string,
    code?: InputCode,
  ) {
    super(message);
    this.code = code ?? setting;
  }
}

/**
 * Run engine calls whose inputs an experiment computed from its settings: a SettingError about
 * engine argument `a` comes out about `from[a]`, the setting that argument came from (the
 * engine's `steps` is §3's `epochs`; the language model's `vocabulary` is the demo's `prompt`).
 * The code is kept; an argument the map does not name keeps its name.
 */
export async function inSettings<T>(from: Partial<Record<string, string>>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const setting = e instanceof SettingError ? (from[e.setting] ?? from[e.code]) : undefined;
    throw setting && e instanceof SettingError ? new SettingError(setting, e.message, e.code) : e;
  }
}

/** A training loss became NaN or ±Infinity: training stopped at `step` (0-based). */
export class TrainingDivergedError extends Error {
  override readonly name: string = 'TrainingDivergedError';
  constructor(
    /** The first step whose loss is not finite (0-based, like `losses`). */
    readonly step: number,
    /** Every loss computed up to and including the step training stopped at, so a chart can keep what it drew. */
    readonly losses: Float32Array,
    message?: string,
  ) {
    super(
      message ??
        `Training diverged: the loss at step ${step} is ${losses[step]} ` +
          `(the last finite loss was ${step > 0 ? losses[step - 1] : 'none'}). Try a smaller learning rate or a smaller α (the update is scaled by α/r or α/√r).`,
    );
  }
}

/**
 * Training broke down without a NaN: the model saturated (for the language model, every
 * prediction uniform, the loss pinned at ln V, the logits all zero or all equal) from `step` on.
 * A TrainingDivergedError, so whatever handles divergence handles it.
 */
export class TrainingBrokeDownError extends TrainingDivergedError {
  override readonly name: string = 'TrainingBrokeDownError';
  constructor(step: number, losses: Float32Array, why: string) {
    super(step, losses, `Training broke down at step ${step}: ${why} Try a smaller learning rate or a smaller α (the update is scaled by α/r or α/√r).`);
  }
}

/** The requested backend cannot run here (e.g. 'webgpu' in Node or without an adapter). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

/** The error `fetch` and friends throw on abort: a DOMException named 'AbortError'. */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  if (typeof DOMException !== 'undefined') return new DOMException('Training was aborted.', 'AbortError');
  const e = new Error('Training was aborted.');
  e.name = 'AbortError';
  return e;
}

/** Whether `e` is the rejection of an aborted run (a DOMException or Error named 'AbortError'). */
export function isAbortError(e: unknown): boolean {
  // The DOM's convention (fetch, AbortSignal.throwIfAborted): the name is the type.
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

/** Throw an AbortError when `signal` has fired. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}
