/**
 * The engine's typed errors. Every message is written for a reader of the tutorial:
 * it names the argument, its shape and what it should have been.
 */

/** What was wrong with an input. */
export type EngineInputCode = 'shape' | 'rank' | 'lr' | 'steps' | 'nonfinite' | 'scaling' | 'empty' | 'optimizer';

/**
 * The engine argument an input error is about: a matrix by its name ('x', 'w', 'a0', …), or
 * one of the scalar inputs. 'rank' is the adapter's rank r, the rows of A.
 */
export type EngineInput = 'rank' | 'lr' | 'steps' | 'scaling' | 'optimizer' | (string & {});

/** Bad input, found before anything runs. `input` names the argument it is about. */
export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';
  constructor(
    readonly code: EngineInputCode,
    message: string,
    readonly input: EngineInput,
  ) {
    super(message);
  }
}

/**
 * An experiment cannot run with one of its settings. `setting` is the key in the experiment's
 * settings object (`epochs`, `trueRank`, …), so a page can put the message next to the control
 * that feeds it without reading the message.
 */
export class SettingError extends Error {
  override readonly name = 'SettingError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** A training loss became NaN or ±Infinity: training stopped at `step` (0-based). */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(
    /** The first step whose loss is not finite (0-based, like `losses`). */
    readonly step: number,
    /** Every loss computed up to and including `step`, so a chart can keep what it drew. */
    readonly losses: Float32Array,
  ) {
    super(
      `Training diverged: the loss at step ${step} is ${losses[step]} ` +
        `(the last finite loss was ${step > 0 ? losses[step - 1] : 'none'}). Try a smaller learning rate or a smaller α (the update is scaled by α/r or α/√r).`,
    );
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
