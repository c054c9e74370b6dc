/**
 * The messages between a page and its one engine worker (src/workers/engine.worker.ts).
 *
 * The page asks for a demo run with settings and a backend; the worker answers with the
 * backend it got, progress while it runs, then exactly one `result` or `error` for that id.
 * `cancel` aborts a run (an AbortController in the worker); the run then ends with an error
 * whose code is 'aborted'. Results are the experiments' plain-JSON shapes, the same ones the
 * build embeds in the page, so the island draws both the same way.
 */
import type { Backend, EngineInputCode } from '../../demos/index';
import type {
  AdaptersResult,
  AdaptersSettings,
  ImplementationResult,
  ImplementationSettings,
  LowRankResult,
  LowRankSettings,
  MergingResult,
  MergingSettings,
  RankSweepProgress,
  RankSweepResult,
  RankSweepSettings,
  TrainingProgress,
  TrainingResult,
  TrainingSettings,
} from '../../demos/experiments/types';

/** Each demo that runs on the engine: its settings, its result and what it reports while running. */
export interface WorkerDemos {
  lowrank: { settings: Partial<LowRankSettings>; result: LowRankResult; progress: never };
  implementation: { settings: Partial<ImplementationSettings>; result: ImplementationResult; progress: never };
  training: { settings: Partial<TrainingSettings>; result: TrainingResult; progress: TrainingProgress };
  merging: { settings: Partial<MergingSettings>; result: MergingResult; progress: TrainingProgress };
  rank: { settings: Partial<RankSweepSettings>; result: RankSweepResult; progress: RankSweepProgress };
  adapters: { settings: Partial<AdaptersSettings>; result: AdaptersResult; progress: never };
}
export type WorkerDemo = keyof WorkerDemos;
export type BackendRequest = Backend | 'auto';

export type RunMessage = {
  [D in WorkerDemo]: { type: 'run'; id: number; demo: D; settings: WorkerDemos[D]['settings']; backend: BackendRequest };
}[WorkerDemo];
export interface CancelMessage {
  type: 'cancel';
  id: number;
}
/** The .onnx graphs a demo has run so far on a backend: names, and the bytes of `name` if given. */
export interface GraphsMessage {
  type: 'graphs';
  id: number;
  demo: WorkerDemo;
  backend: BackendRequest;
  name?: string;
}
export type ToWorker = RunMessage | CancelMessage | GraphsMessage;

/** What went wrong, for the page to place the message: an engine input code names the control. */
export type ErrorCode = EngineInputCode | 'diverged' | 'aborted' | 'backend' | 'internal';

export type FromWorker =
  /** The engine for this run is ready: what runs, and why not WebGPU when 'auto' was asked. */
  | { type: 'started'; id: number; backend: Backend; fallbackReason?: string }
  | { type: 'progress'; id: number; progress: WorkerDemos[WorkerDemo]['progress'] }
  | { type: 'result'; id: number; result: WorkerDemos[WorkerDemo]['result'] }
  | {
      type: 'error';
      id: number;
      message: string;
      code: ErrorCode;
      /** Divergence: the first step whose loss is not finite, and the losses up to it. */
      step?: number;
      losses?: number[];
    }
  | { type: 'graphs'; id: number; names: string[]; name?: string; bytes?: Uint8Array };
