/// <reference lib="webworker" />
/**
 * The page's one engine worker: onnxruntime-web, the engine and the experiments run here so
 * the main thread only draws. One engine per backend, created on first use and kept (sessions
 * are cached per shape inside it). Runs are served one at a time, in order.
 * Protocol: src/workers/protocol.ts.
 */
import { createEngine, type Engine } from '../../demos/index';
import { adapterMerging, lowRankIntuition, loraImplementation, multiAdapter, rankSweep, trainingComparison } from '../../demos/experiments/index';
import type { BackendRequest, ErrorCode, FromWorker, RunMessage, ToWorker, WorkerDemo } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);

/** Progress that carries the whole curve so far is sent at most this often (≥ 10 chart updates/s). */
const PROGRESS_INTERVAL_MS = 50;

const engines = new Map<BackendRequest, Promise<Engine>>();
function engineFor(backend: BackendRequest): Promise<Engine> {
  let p = engines.get(backend);
  if (!p) {
    p = createEngine({ backend });
    engines.set(backend, p);
    p.then(
      (e) => {
        // 'auto' and the backend it chose are the same engine.
        if (!engines.has(e.backend)) engines.set(e.backend, p!);
      },
      () => engines.delete(backend), // let a later request try again
    );
  }
  return p;
}

/** The graphs each demo caused the engine to build, per engine (sessions are shared across demos). */
const graphsByDemo = new WeakMap<Engine, Map<WorkerDemo, Set<string>>>();
function recordGraphs(engine: Engine, demo: WorkerDemo, before: Set<string>): void {
  let byDemo = graphsByDemo.get(engine);
  if (!byDemo) graphsByDemo.set(engine, (byDemo = new Map()));
  let set = byDemo.get(demo);
  if (!set) byDemo.set(demo, (set = new Set()));
  for (const n of engine.graphNames()) if (!before.has(n)) set.add(n);
}
function demoGraphs(engine: Engine, demo: WorkerDemo): string[] {
  const own = graphsByDemo.get(engine)?.get(demo);
  // A demo that only reused another demo's sessions built nothing itself: list everything.
  return own && own.size > 0 ? [...own] : engine.graphNames();
}

function errorMessage(id: number, e: unknown): FromWorker {
  const err = e as { name?: string; message?: string; code?: string; step?: number; losses?: Float32Array };
  const message = err?.message ?? String(e);
  let code: ErrorCode = 'internal';
  if (err?.name === 'EngineInputError' && err.code) code = err.code as ErrorCode;
  else if (err?.name === 'TrainingDivergedError') code = 'diverged';
  else if (err?.name === 'AbortError') code = 'aborted';
  else if (err?.name === 'BackendUnavailableError') code = 'backend';
  const out: FromWorker = { type: 'error', id, message, code };
  if (code === 'diverged') {
    out.step = err.step;
    out.losses = err.losses ? Array.from(err.losses) : undefined;
  }
  return out;
}

async function run(m: RunMessage, signal: AbortSignal): Promise<void> {
  const engine = await engineFor(m.backend);
  post({ type: 'started', id: m.id, backend: engine.backend, fallbackReason: engine.fallbackReason });
  const before = new Set(engine.graphNames());
  let last = 0;
  let pending: unknown;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (pending !== undefined) post({ type: 'progress', id: m.id, progress: pending as never });
    pending = undefined;
    last = performance.now();
  };
  // Throttle cumulative progress (whole loss curves) to one message per interval, keeping the latest.
  const throttled = (p: unknown) => {
    // A new run (§3: LoRA, then full fine-tuning) must not swallow the last report of the
    // previous one, or its curve would stay cut short: send that report first.
    const runOf = (q: unknown) => (q && typeof q === 'object' && 'run' in q ? (q as { run: unknown }).run : undefined);
    if (pending !== undefined && runOf(pending) !== runOf(p)) {
      if (timer) clearTimeout(timer);
      flush();
    }
    pending = p;
    const wait = PROGRESS_INTERVAL_MS - (performance.now() - last);
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };
  const immediate = (p: unknown) => post({ type: 'progress', id: m.id, progress: p as never });
  try {
    let result: unknown;
    switch (m.demo) {
      case 'lowrank':
        result = await lowRankIntuition(engine, m.settings, { signal });
        break;
      case 'implementation':
        result = await loraImplementation(engine, m.settings, { signal });
        break;
      case 'training':
        result = await trainingComparison(engine, m.settings, { signal, onProgress: throttled });
        break;
      case 'merging':
        result = await adapterMerging(engine, m.settings, { signal, onProgress: throttled });
        break;
      case 'rank':
        result = await rankSweep(engine, m.settings, { signal, onProgress: immediate });
        break;
      case 'adapters':
        result = await multiAdapter(engine, m.settings, { signal });
        break;
    }
    if (timer !== undefined) clearTimeout(timer);
    flush();
    post({ type: 'result', id: m.id, result: result as never });
  } catch (e) {
    if (timer !== undefined) clearTimeout(timer);
    flush();
    post(errorMessage(m.id, e));
  } finally {
    recordGraphs(engine, m.demo, before);
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
        .then(() => (ac.signal.aborted ? post(errorMessage(m.id, abortError())) : run(m, ac.signal)))
        .catch((e: unknown) => post(errorMessage(m.id, e)))
        .finally(() => controllers.delete(m.id));
      break;
    }
    case 'cancel':
      controllers.get(m.id)?.abort();
      break;
    case 'graphs':
      void engineFor(m.backend).then(
        (engine) => {
          const names = demoGraphs(engine, m.demo);
          if (m.name === undefined || !engine.graphNames().includes(m.name)) return post({ type: 'graphs', id: m.id, names });
          const bytes = engine.graph(m.name).slice(); // a copy we can transfer
          post({ type: 'graphs', id: m.id, names, name: m.name, bytes }, [bytes.buffer]);
        },
        (e: unknown) => post(errorMessage(m.id, e)),
      );
      break;
  }
};

function abortError(): Error {
  const e = new Error('The run was cancelled.');
  e.name = 'AbortError';
  return e;
}
