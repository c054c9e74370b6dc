/// <reference lib="webworker" />
/**
 * The page's one engine worker: onnxruntime-web, the engine and the experiments run here so
 * the main thread only draws. One engine per backend, created on first use and kept: the notebook's
 * experiments and the language model share its runtime and its session cache (bounded, least
 * recently used released), so "Download .onnx" lists the graphs of both. Runs are served one at a time, in order; the experiment is
 * looked up in the engine's EXPERIMENTS table, so this file names none.
 * Protocol: src/workers/protocol.ts.
 */
import {
  BackendUnavailableError,
  createEngine,
  EXPERIMENTS,
  graphFamilyOf,
  parseDecision,
  type AutoChoice,
  type Backend,
  type ChoiceStore,
  type GraphFamily,
  isAbortError,
  SettingError,
  TrainingDivergedError,
  type Engine,
  type ExperimentName,
  type ProgressOf,
} from '../../demos/index';
import type { BackendRequest, ErrorReport, FromWorker, RunMessage, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);

/**
 * Progress is sent at most this often (≥ 10 chart updates/s). Each report carries the whole
 * result so far, so dropping all but the latest in an interval loses nothing.
 */
const PROGRESS_INTERVAL_MS = 50;

/** One engine per backend, shared by every experiment (and every graph family Auto decided for). */
const engines = new Map<Backend, Promise<Engine>>();
function engineFor(backend: Backend): Promise<Engine> {
  let p = engines.get(backend);
  if (!p) {
    p = createEngine({ backend });
    engines.set(backend, p);
    p.catch(() => engines.delete(backend)); // let a later request try again
  }
  return p;
}

/** What a run on 'auto' gets: the shared engine of the backend Auto chose, and why. */
interface AutoRun {
  engine: Engine;
  fallbackReason?: string;
  autoChoice?: AutoChoice;
}
const autoRuns = new Map<string, Promise<AutoRun>>();

/**
 * 'auto' for a graph family, given what the page's localStorage holds for it: a stored decision
 * whose backend already has an engine here is simply used; otherwise createEngine decides
 * (measuring when nothing is stored: after "Measure again" too), and the engine it made becomes
 * that backend's shared engine, or is released in favour of the one already there.
 */
function autoFor(family: GraphFamily, storedChoice: string | null): Promise<AutoRun> {
  const key = `${family}:${storedChoice ?? ''}`;
  let p = autoRuns.get(key);
  if (p) return p;
  const stored = parseDecision(family, storedChoice);
  const shared = stored && engines.get(stored.backend);
  p = shared
    ? shared.then((engine) => ({ engine, autoChoice: { decision: stored, measuredNow: false } }))
    : (async () => {
        const e = await createEngine({ backend: 'auto', choice: { family, store: storeOf(storedChoice) } });
        const run = { fallbackReason: e.fallbackReason, autoChoice: e.autoChoice };
        const existing = engines.get(e.backend);
        if (!existing) {
          engines.set(e.backend, Promise.resolve(e));
          return { engine: e, ...run };
        }
        await e.dispose();
        return { engine: await existing, ...run };
      })();
  autoRuns.set(key, p);
  p.then(
    // A decision measured now is what the page stores, and sends from its next run on.
    (r) => r.autoChoice?.measuredNow && autoRuns.set(`${family}:${JSON.stringify(r.autoChoice.decision)}`, p!),
    () => autoRuns.delete(key),
  );
  return p;
}

/** The page's stored decision, read-only: the page writes what the engine measured (from `started`). */
const storeOf = (raw: string | null): ChoiceStore => ({ getItem: () => raw, setItem: () => undefined, removeItem: () => undefined });

/** The graphs each experiment caused the engine to build, per engine (sessions are shared). */
const graphsByExperiment = new WeakMap<Engine, Map<ExperimentName, Set<string>>>();
function recordGraphs(engine: Engine, experiment: ExperimentName, before: Set<string>): void {
  let byName = graphsByExperiment.get(engine);
  if (!byName) graphsByExperiment.set(engine, (byName = new Map()));
  let set = byName.get(experiment);
  if (!set) byName.set(experiment, (set = new Set()));
  for (const n of engine.graphNames()) if (!before.has(n)) set.add(n);
}
function experimentGraphs(engine: Engine, experiment: ExperimentName): string[] {
  const kept = engine.graphNames(); // the bytes the engine still holds (it keeps the newest)
  const own = [...(graphsByExperiment.get(engine)?.get(experiment) ?? [])].filter((n) => kept.includes(n));
  // An experiment that only reused another's sessions built nothing itself: list everything.
  return own.length > 0 ? own : kept;
}

/** The error as the page needs it: by type, never by reading the message. */
function report(e: unknown): ErrorReport {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof SettingError) return { message, code: 'setting', setting: e.setting };
  // A breakdown without a NaN (TrainingBrokeDownError) is a divergence too.
  if (e instanceof TrainingDivergedError) return { message, code: 'diverged', step: e.step };
  if (e instanceof BackendUnavailableError) return { message, code: 'backend' };
  if (isAbortError(e)) return { message, code: 'aborted' };
  return { message, code: 'internal' };
}

async function run(m: RunMessage, signal: AbortSignal): Promise<void> {
  const { engine, fallbackReason, autoChoice } = m.backend === 'auto' ? await autoFor(graphFamilyOf(m.experiment), m.storedChoice ?? null) : { engine: await engineFor(m.backend) };
  post({ type: 'started', id: m.id, backend: engine.backend, fallbackReason, autoChoice });
  const before = new Set(engine.graphNames());
  let last = 0;
  let pending: ProgressOf<ExperimentName> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending !== undefined) post({ type: 'progress', id: m.id, progress: pending });
    pending = undefined;
    last = performance.now();
  };
  const onProgress = (p: ProgressOf<ExperimentName>) => {
    pending = p;
    const wait = PROGRESS_INTERVAL_MS - (performance.now() - last);
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };
  const experiment = EXPERIMENTS[m.experiment];
  try {
    const settings = m.settings as never;
    const result =
      experiment.kind === 'engine' ? await experiment.run(engine, settings, { signal, onProgress: onProgress as never }) : experiment.run(settings);
    flush();
    post({ type: 'result', id: m.id, result, sessions: engine.sessionCount });
  } catch (e) {
    flush(); // the last progress (a diverged run's losses up to the bad step) is drawn first
    post({ type: 'error', id: m.id, ...report(e) });
  } finally {
    recordGraphs(engine, m.experiment, before);
  }
}

const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  switch (m.type) {
    case 'run': {
      const ac = new AbortController();
      controllers.set(m.id, ac);
      queue = queue
        .then(() => (ac.signal.aborted ? post({ type: 'error', id: m.id, message: 'The run was cancelled.', code: 'aborted' }) : run(m, ac.signal)))
        .catch((e: unknown) => post({ type: 'error', id: m.id, ...report(e) }))
        .finally(() => controllers.delete(m.id));
      break;
    }
    case 'cancel': {
      const ac = controllers.get(m.id);
      ac?.abort();
      if (ac) post({ type: 'cancelling', id: m.id });
      break;
    }
    case 'graphs':
      void engineFor(m.backend).then(
        (engine) => {
          const names = experimentGraphs(engine, m.experiment);
          if (m.name === undefined || !engine.graphNames().includes(m.name)) return post({ type: 'graphs', id: m.id, names });
          const bytes = engine.graph(m.name).slice(); // a copy we can transfer
          post({ type: 'graphs', id: m.id, names, name: m.name, bytes }, [bytes.buffer]);
        },
        (e: unknown) => post({ type: 'error', id: m.id, ...report(e) }),
      );
      break;
  }
};
