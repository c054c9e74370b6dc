/**
 * The engine's one training loop, for every model it trains (the notebook's matrices and the
 * chapter-8 language model): `steps` optimizer steps as a few graph runs of K unrolled steps.
 * The state (parameters and Adam moments) goes from one run's outputs to the next run's inputs
 * and, on WebGPU, never leaves the GPU; only the K losses of each run are read back. Between
 * runs: divergence and breakdown checks, progress in the result's shape, a turn of the event
 * loop so an abort can arrive, and the abort check.
 */
import { abortError, throwIfAborted, TrainingBrokeDownError, TrainingDivergedError } from './errors';
import { hyperParameters } from './graphs/optimizer';
import type { OrtSession, OrtTensor, Runtime } from './runtime';
import type { Optimizer } from './types';

/**
 * Resolve on the next macrotask. A MessageChannel round trip, not setTimeout: nested timers
 * are clamped to ≥ 4 ms in browsers, which would cost more than a 25-step run on WASM.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * A saturated model: the loss pinned at `loss` (to `tolerance`) for `steps` consecutive steps
 * means training broke down though nothing is NaN. For a classifier over V tokens, ln V is the
 * loss of uniform predictions, what all-zero (or all-equal) logits give.
 */
export interface Breakdown {
  loss: number;
  tolerance: number;
  steps: number;
  /** The state in words, for the error message ("the loss is ln 84 = 4.4308, …"). */
  why: string;
}

/** The first step of the first `b.steps` consecutive losses within `b.tolerance` of `b.loss`, or −1. */
export function pinnedFrom(losses: ArrayLike<number>, b: Breakdown): number {
  let run = 0;
  for (let t = 0; t < losses.length; t++) {
    run = Math.abs(losses[t]! - b.loss) <= b.tolerance ? run + 1 : 0;
    if (run >= b.steps) return t - run + 1;
  }
  return -1;
}

/** What the loop reports after each run, in the shape of its result. */
export interface LoopProgress {
  /** Steps done so far. */
  step: number;
  /** The losses of steps 0 … step − 1 (a copy). */
  losses: Float32Array;
  /** The state after `step` steps, as inputs of the next run (read it, never release it). */
  state: Record<string, OrtTensor>;
}

export interface TrainLoop {
  optimizer: Optimizer;
  lr: number;
  /** s (α/r or α/√r) for graphs that read it from `hp` (the matrix LoRA graphs), else 0. */
  scaling: number;
  steps: number;
  /** Steps unrolled per graph run, in order; they add up to `steps`. */
  runs: number[];
  /** The session of a run of K steps (cached per shape by the Runtime). */
  session: (K: number) => Promise<OrtSession>;
  /** [output, input] pairs fed back between runs. */
  state: Array<[string, string]>;
  /** Inputs that stay the same for every run (x, y, frozen weights …). */
  fixed: Record<string, OrtTensor>;
  /** The first run's state inputs. */
  initial: Record<string, OrtTensor>;
  /** Inputs of the run of K steps that starts at step `done` besides state and `hp` (the language model's batches). */
  perRun?: (K: number, done: number) => Record<string, OrtTensor>;
  breakdown?: Breakdown;
  onProgress?: (p: LoopProgress) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Run the loop. Returns every loss (`losses[t]` is step t's, before update t, as PyTorch's loop
 * logs it) and the final state, whose GPU tensors the caller now owns (Runtime.release them).
 */
export async function trainLoop(rt: Runtime, plan: TrainLoop): Promise<{ losses: Float32Array; state: Record<string, OrtTensor> }> {
  throwIfAborted(plan.signal);
  const losses = new Float32Array(plan.steps);
  let state = { ...plan.initial };
  const owned = new Set<OrtTensor>(); // tensors ORT made for us (GPU ones must be disposed)
  const drop = (): void => {
    for (const t of owned) rt.release(t);
    owned.clear();
  };
  let done = 0;
  try {
    for (const K of plan.runs) {
      const session = await plan.session(K);
      const hp = hyperParameters(K, plan.optimizer, plan.lr, plan.scaling, done);
      const feeds = { ...plan.fixed, ...state, ...plan.perRun?.(K, done), hp: rt.tensorOf(hp, [hp.length]) };
      const out = await rt.run(session, feeds);
      const next: Record<string, OrtTensor> = {};
      for (const [o, i] of plan.state) next[i] = out[o]!;
      let runLosses: Float32Array;
      try {
        runLosses = (await rt.read(out.losses!)).subarray(0, K);
      } catch (e) {
        for (const t of Object.values(next)) rt.release(t); // this run's state dies with it
        throw e;
      }
      losses.set(runLosses, done);
      drop(); // the previous run's state is no longer needed
      for (const t of Object.values(next)) owned.add(t);
      state = next;
      const bad = runLosses.findIndex((l) => !Number.isFinite(l));
      if (bad >= 0) throw new TrainingDivergedError(done + bad, losses.slice(0, done + bad + 1));
      const from = plan.breakdown ? pinnedFrom(losses.subarray(0, done + K), plan.breakdown) : -1;
      if (from >= 0) throw new TrainingBrokeDownError(from, losses.slice(0, from + plan.breakdown!.steps), plan.breakdown!.why);
      done += K;
      await plan.onProgress?.({ step: done, losses: losses.slice(0, done), state });
      // Give the event loop a turn between runs, so an abort (a worker's cancel message)
      // can arrive while training is still going.
      if (plan.signal && done < plan.steps) await nextTask();
      if (plan.signal?.aborted && done < plan.steps) throw abortError(plan.signal);
    }
    owned.clear(); // the caller owns the final state now
    return { losses, state };
  } catch (e) {
    drop();
    throw e;
  }
}
