/**
 * The run lifecycle of one demo: start an experiment (in the engine worker, or on the page when
 * it is arithmetic), report its backend, progress and outcome, cancel it. Every run gets a
 * generation number; starting, resetting or detaching bumps it, and whatever an older run
 * still reports (late progress, its result, its "cancelled") is dropped, never drawn.
 */
import { EXPERIMENTS, type AutoChoice, type Backend, type ExperimentName, type ProgressOf, type ResultOf, type SettingsOf } from '../../demos/index';
import { engineClient, RunError, type RunHandle } from './engine-client';

export interface RunEvents<E extends ExperimentName> {
  started(backend: Backend, fallbackReason?: string, autoChoice?: AutoChoice): void;
  progress(p: ProgressOf<E>): void;
  done(result: ResultOf<E>): void;
  failed(err: RunError): void;
}

export class Runner<E extends ExperimentName> {
  private generation = 0;
  private handle: RunHandle<ResultOf<E>> | undefined;

  constructor(private readonly experiment: E) {}

  /** Whether the experiment runs on the engine (in the worker) or is arithmetic on the page. */
  get usesEngine(): boolean {
    return EXPERIMENTS[this.experiment].kind === 'engine';
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  /** Start a run; a run in progress is cancelled first and nothing it reports is heard again. */
  start(settings: Partial<SettingsOf<E>>, backend: Backend | 'auto', on: RunEvents<E>): void {
    this.detach();
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const handle = this.launch(settings, backend, {
      started: (b, why, auto) => current() && on.started(b, why, auto),
      progress: (p) => current() && on.progress(p),
    });
    this.handle = handle;
    handle.promise.then(
      (r) => {
        if (!current()) return;
        this.handle = undefined;
        on.done(r);
      },
      (e: unknown) => {
        if (!current()) return;
        this.handle = undefined;
        on.failed(e instanceof RunError ? e : new RunError({ message: e instanceof Error ? e.message : String(e), code: 'internal' }));
      },
    );
  }

  /** The reader's Cancel: the run ends with its 'aborted' outcome, which is still reported. */
  cancel(): void {
    this.handle?.cancel();
  }

  /** Cancel the run and forget it (Reset, a new run): its outcome must not overwrite what follows. */
  detach(): void {
    this.generation++;
    const h = this.handle;
    this.handle = undefined;
    h?.cancel();
  }

  private launch(settings: Partial<SettingsOf<E>>, backend: Backend | 'auto', cb: Pick<RunEvents<E>, 'started' | 'progress'>): RunHandle<ResultOf<E>> {
    const experiment = EXPERIMENTS[this.experiment];
    if (experiment.kind === 'arithmetic') {
      // Plain arithmetic: synchronous, so there is nothing to cancel.
      return { promise: Promise.resolve().then(() => experiment.run(settings)), cancel: () => {} };
    }
    return engineClient().run(this.experiment, settings, backend, { onStarted: cb.started, onProgress: cb.progress });
  }
}
