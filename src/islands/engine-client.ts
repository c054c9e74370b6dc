/**
 * The page's side of the engine worker: one worker per page, shared by every demo on it,
 * created on the first run. Each run is a promise plus a cancel(); progress and the backend
 * actually used arrive through callbacks.
 */
import { type AutoChoice, type Backend, type ChoiceStore, type ExperimentName, type ProgressOf, type ResultOf, type SettingsOf, choiceKey, graphFamilyOf, writeDecision } from '../../demos/index';
import type { BackendRequest, ErrorCode, ErrorReport, FromWorker, ToWorker } from '../workers/protocol';

/** A run that ended without a result: the worker's message and code, and the setting it is about. */
export class RunError extends Error {
  override readonly name = 'RunError';
  readonly code: ErrorCode;
  readonly setting?: string;
  constructor(r: ErrorReport) {
    super(r.message);
    this.code = r.code;
    this.setting = r.setting;
  }
}
const aborted = (message = 'The run was cancelled.') => new RunError({ message, code: 'aborted' });

export interface RunCallbacks<P> {
  onStarted?: (backend: Backend, fallbackReason?: string, autoChoice?: AutoChoice) => void;
  onProgress?: (p: P) => void;
}
export interface RunHandle<R> {
  promise: Promise<R>;
  cancel(): void;
}

/** Where Auto's decisions are kept: this browser's localStorage (absent or refused: nothing is kept, Auto measures on each page). */
export function choiceStore(): ChoiceStore | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/** The stored decision for an experiment's graph family, as the worker gets it. */
function storedChoice(experiment: ExperimentName): string | null {
  try {
    return choiceStore()?.getItem(choiceKey(graphFamilyOf(experiment))) ?? null;
  } catch {
    return null;
  }
}

/**
 * A cancelled run is reported cancelled to the page at once; the worker stops it at its next
 * check of the AbortSignal. The worker is terminated (losing what it keeps: the loaded model,
 * chapter 8's adapters kept for switching) only if it does not even acknowledge the cancel
 * within CANCEL_STUCK_MS, i.e. its event loop is blocked; a long graph run or a long sample
 * is not that (issue 15, #1: a 300 ms limit killed the worker mid-sample).
 */
const CANCEL_STUCK_MS = 20_000;

type Pending = {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onMessage?(m: FromWorker): void;
  message?: ToWorker;
  /** The worker has begun this run (runs wait in the worker's queue until then). */
  started?: boolean;
  /** Cancelled by the page: its promise is settled; the entry waits for the worker's end of it. */
  cancelled?: boolean;
  /** The worker read the cancel (its event loop is free): it will stop the run by itself. */
  acknowledged?: boolean;
};

/**
 * What a reader offline is told when the site's service worker has not kept `what` (the reader
 * never used it online and did not press "Save for offline"); undefined while online.
 */
function notSavedOffline(what: string): string | undefined {
  if (navigator.onLine !== false) return undefined;
  return `You are offline, and ${what} is not saved for offline use in this browser: run this demo once while online, or press “Save for offline” at the foot of any page.`;
}

class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** onnxruntime sessions the worker's engine held after its last run (a test hook: the cache is bounded). */
  sessions: number | undefined;

  private get w(): Worker {
    if (!this.worker) {
      const w = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
      w.onmessage = (ev: MessageEvent<FromWorker>) => this.receive(ev.data);
      w.onerror = (ev) => {
        ev.preventDefault();
        const err = new RunError({ message: notSavedOffline('this demo’s engine') ?? `The engine worker failed to start: ${ev.message || 'unknown error'}.`, code: 'internal' });
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        this.worker = undefined;
      };
      this.worker = w;
    }
    return this.worker;
  }

  private send(m: ToWorker): void {
    this.w.postMessage(m);
  }

  private receive(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (p.cancelled) {
      // The page has been told; only the worker's own end of the run matters now.
      if (m.type === 'cancelling') p.acknowledged = true;
      if (m.type === 'result' || m.type === 'error') this.pending.delete(m.id);
      return;
    }
    switch (m.type) {
      case 'started':
        p.started = true;
        p.onMessage?.(m);
        break;
      case 'progress':
        p.onMessage?.(m);
        break;
      case 'result':
        this.pending.delete(m.id);
        this.sessions = m.sessions;
        p.resolve(m.result);
        break;
      case 'graphs':
        this.pending.delete(m.id);
        p.resolve(m);
        break;
      case 'error': {
        this.pending.delete(m.id);
        // A module or file the site's service worker neither kept nor can fetch: say why in words.
        const file = /Failed to fetch|dynamically imported module|Importing a module script failed/.test(m.message) ? /https?:\/\/\S+/.exec(m.message)?.[0] : undefined;
        const offline = file || /Failed to fetch/.test(m.message) ? notSavedOffline(file ? `part of this demo (${new URL(file).pathname})` : 'part of this demo') : undefined;
        p.reject(new RunError(offline ? { ...m, message: offline } : m));
        break;
      }
        break;
    }
  }

  run<E extends ExperimentName>(
    experiment: E,
    settings: Partial<SettingsOf<E>>,
    backend: BackendRequest,
    cb: RunCallbacks<ProgressOf<E>> = {},
  ): RunHandle<ResultOf<E>> {
    const id = this.nextId++;
    const promise = new Promise<ResultOf<E>>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onMessage: (m) => {
          if (m.type === 'started') {
            // Auto measured now: the decision is this browser's from the next page on.
            if (m.autoChoice?.measuredNow) writeDecision(choiceStore(), m.autoChoice.decision);
            cb.onStarted?.(m.backend, m.fallbackReason, m.autoChoice);
          }
          else if (m.type === 'progress') cb.onProgress?.(m.progress as ProgressOf<E>);
        },
        message: { type: 'run', id, experiment, settings, backend, storedChoice: backend === 'auto' ? storedChoice(experiment) : undefined } as ToWorker,
      });
    });
    this.send(this.pending.get(id)!.message!);
    return { promise, cancel: () => this.cancel(id) };
  }

  /**
   * Ask the worker to abort run `id`. The page hears "cancelled" at once; the engine checks its
   * AbortSignal between graph runs (and yields a macrotask between them, so the message is
   * read) and answers 'cancelling' when it reads it. Only a worker that does not answer within
   * CANCEL_STUCK_MS is terminated, and the runs queued behind it start again on a fresh one. A
   * run still queued is simply dropped.
   */
  private cancel(id: number): void {
    const run = this.pending.get(id);
    if (!run || run.cancelled) return;
    this.send({ type: 'cancel', id });
    run.reject(aborted());
    if (!run.started) {
      // Still queued behind another demo's run: the worker drops it when its turn comes, and
      // the run in progress must not be killed for it.
      this.pending.delete(id);
      return;
    }
    run.cancelled = true;
    run.onMessage = undefined;
    const worker = this.worker;
    setTimeout(() => {
      const p = this.pending.get(id);
      if (!p || p.acknowledged || !this.worker || this.worker !== worker) return;
      this.worker.terminate();
      this.worker = undefined;
      this.pending.delete(id);
      // Runs queued behind the cancelled one start again on a fresh worker; other requests fail.
      for (const [other, q] of [...this.pending]) {
        if (q.cancelled) this.pending.delete(other);
        else if (q.message?.type === 'run') this.send(q.message);
        else {
          q.reject(aborted('The engine was restarted; try again.'));
          this.pending.delete(other);
        }
      }
    }, CANCEL_STUCK_MS);
  }

  /** The .onnx graphs `experiment` has run on `backend`: their names, and the bytes of `name`. */
  graphs(experiment: ExperimentName, backend: Backend, name?: string): Promise<{ names: string[]; bytes?: Uint8Array }> {
    const id = this.nextId++;
    const promise = new Promise<{ names: string[]; bytes?: Uint8Array }>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    this.send({ type: 'graphs', id, experiment, backend, name });
    return promise;
  }
}

let client: EngineClient | undefined;
/** The page's engine client (the worker itself starts on the first request). */
export function engineClient(): EngineClient {
  return (client ??= new EngineClient());
}
