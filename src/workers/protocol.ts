/**
 * The messages between a page and its one engine worker (src/workers/engine.worker.ts).
 *
 * The page asks for a run of an experiment (a key of the engine's EXPERIMENTS table) with
 * settings and a backend; the worker answers with the backend it got, progress while it runs
 * (the result so far, in the result's shape), then exactly one `result` or `error` for that id.
 * `cancel` aborts a run (an AbortController in the worker); the run then ends with an error
 * whose code is 'aborted'. Results are the experiments' plain-JSON shapes, the same ones the
 * build embeds in the page, so the island draws both the same way.
 */
import type { AutoChoice, Backend, ExperimentName, ProgressOf, ResultOf, SettingsOf } from '../../demos/index';

export type BackendRequest = Backend | 'auto';

export type RunMessage = {
  [E in ExperimentName]: {
    type: 'run';
    id: number;
    experiment: E;
    settings: Partial<SettingsOf<E>>;
    backend: BackendRequest;
    /**
     * For 'auto': what the page's localStorage holds for the experiment's graph family (a worker
     * has no localStorage), null when nothing; a decision measured now comes back in `started`.
     */
    storedChoice?: string | null;
  };
}[ExperimentName];
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
/** The .onnx graphs an experiment has run so far on a backend: names, and the bytes of `name` if given. */
export interface GraphsMessage {
  type: 'graphs';
  id: number;
  experiment: ExperimentName;
  backend: Backend;
  name?: string;
}
export type ToWorker = RunMessage | CancelMessage | GraphsMessage;

/**
 * What went wrong: 'setting' (bad input, about the setting named in `setting`: the experiment's,
 * or an engine argument it did not attribute), divergence (a NaN loss or a breakdown), a cancel,
 * no backend, or a bug.
 */
export type ErrorCode = 'setting' | 'diverged' | 'aborted' | 'backend' | 'internal';

export interface ErrorReport {
  message: string;
  code: ErrorCode;
  /** For 'setting': the key in the experiment's settings the message is about. */
  setting?: string;
  /** Divergence: the first step whose loss is not finite, or from which training broke down. */
  step?: number;
}

export type FromWorker =
  /** The engine for this run is ready: what runs, why not WebGPU when 'auto' was asked, and what Auto measured. */
  | { type: 'started'; id: number; backend: Backend; fallbackReason?: string; autoChoice?: AutoChoice }
  | { type: 'progress'; id: number; progress: ProgressOf<ExperimentName> }
  /** The worker read a cancel for this run: it is alive and stops the run at its next check. */
  | { type: 'cancelling'; id: number }
  /** `sessions`: the onnxruntime sessions the engine holds after the run (bounded: a test hook). */
  | { type: 'result'; id: number; result: ResultOf<ExperimentName>; sessions?: number }
  | ({ type: 'error'; id: number } & ErrorReport)
  | { type: 'graphs'; id: number; names: string[]; name?: string; bytes?: Uint8Array };
