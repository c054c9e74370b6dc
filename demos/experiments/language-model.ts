/**
 * Chapter 8, LoRA on a real language model: load the project's small LLaMA and the texts,
 * train LoRA adapters on one task's text (The Devil's Dictionary or State of the Union
 * addresses), and report an LmDemoFrame (train and held-out
 * losses, the base and the adapted continuation of one prompt, tokens/s, backend) as it goes.
 *
 * The experiment is pure: the files come from a `FileSource`. On a page (the engine worker)
 * that is `fetchFiles(settings.root)`, which reads the site's own /models/ and /corpora/ with
 * download progress; Node and the tests pass one that reads the repository's public/ folder.
 * The engine code loads on first run (a dynamic import), so a page that only imports the
 * experiments table does not download it.
 *
 * Switching (chapter 6 on a real model): the last LoRA adapter trained on each task is kept
 * (in the engine worker, for the page's life: Cancel, Reset and other runs keep them). Once two
 * tasks have one, every finished run (full fine-tuning's too) ends by comparing the base and each
 * adapter on the same frozen base: held-out loss on every task, and the prompt
 * continued by each (`frame.switching`).
 */
import { throwIfAborted, TrainingDivergedError } from '../errors';
import { need } from '../validate';
import type { Adapter, LanguageModel, LanguageModelEngine, LmDemoFrame } from '../lm/index';
import { LANGUAGE_MODEL_FILES, LM_TASKS, MODEL_NAME, type LmTask } from '../lm/files';
import type { Engine } from '../types';
import { runClock } from './clock';
import { LANGUAGE_MODEL_DEFAULTS } from './defaults';
import type { ExperimentOptions, FileSource, LanguageModelProgress, LanguageModelResult, LanguageModelSettings } from './types';

export { LANGUAGE_MODEL_FILES, LM_TASKS };

/** What a reader offline is told when chapter 8's model or texts were never saved in this browser. */
export function notSavedOffline(url: string): string {
  return `You are offline, and ${url} is not saved for offline use in this browser: run this demo once while online, or press "Save for offline" at the foot of any page.`;
}

/** The site's files over HTTP, under `root` (the site's base URL, e.g. "/" or "/lora/"). */
export function fetchFiles(root: string): FileSource {
  const base = root.endsWith('/') ? root : `${root}/`;
  return {
    async read(path, onBytes, signal) {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, { signal });
      } catch (e) {
        // No service worker (or none yet) and no network: the browser only says "Failed to fetch".
        if (!signal?.aborted && globalThis.navigator?.onLine === false) throw new Error(notSavedOffline(`${base}${path}`));
        throw e;
      }
      // The site's service worker answers a file it neither has nor can fetch with this header
      // (src/sw/cache-policy.ts, OFFLINE_HEADER): offline, and the file was never saved.
      if (res.status === 503 && res.headers.get('X-Offline') === 'not-saved') throw new Error(notSavedOffline(`${base}${path}`));
      if (!res.ok) throw new Error(`Could not load ${base}${path}: HTTP ${res.status}.`);
      const total = Number(res.headers.get('content-length') ?? 0) || 0;
      if (!res.body) {
        const bytes = new Uint8Array(await res.arrayBuffer());
        onBytes?.(bytes.length, bytes.length);
        return bytes;
      }
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        onBytes?.(loaded, Math.max(total, loaded));
      }
      const out = new Uint8Array(loaded);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      onBytes?.(loaded, loaded);
      return out;
    },
  };
}

export interface Loaded {
  model: LanguageModel;
  texts: Record<LmTask, { train: string; val: string }>;
}
/** The last LoRA adapter trained on each task, per loaded model (what the switch compares). */
const adaptersBy = new WeakMap<LanguageModel, Map<LmTask, { adapter: Adapter; steps: number }>>();
// One model per file source and one LM engine per engine: a second run reuses both.
const loadedBy = new WeakMap<FileSource, Promise<Loaded>>();
const fetchedBy = new Map<string, FileSource>();
const lmEngines = new WeakMap<Engine, LanguageModelEngine>();

async function load(files: FileSource, onBytes: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Loaded> {
  const { parseModel } = await import('../lm/index');
  const dir = LANGUAGE_MODEL_FILES.modelDir;
  const texts = LM_TASKS.flatMap((t) => [LANGUAGE_MODEL_FILES.tasks[t].train, LANGUAGE_MODEL_FILES.tasks[t].val]);
  const paths = [...LANGUAGE_MODEL_FILES.model.map((f) => `${dir}/${f}`), ...texts];
  const progress = paths.map(() => ({ loaded: 0, total: 0 }));
  const report = () => onBytes(progress.reduce((n, p) => n + p.loaded, 0), progress.reduce((n, p) => n + p.total, 0));
  const bytes = await Promise.all(
    paths.map((p, i) =>
      files.read(p, (loaded, total) => {
        progress[i] = { loaded, total };
        report();
      }, signal),
    ),
  );
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const [config, weights, vocab, ...rest] = bytes as [Uint8Array, Uint8Array, Uint8Array, ...Uint8Array[]];
  const byTask = Object.fromEntries(LM_TASKS.map((t, i) => [t, { train: text(rest[2 * i]!), val: text(rest[2 * i + 1]!) }])) as Loaded['texts'];
  return { model: parseModel(text(config), weights, text(vocab)), texts: byTask };
}

/** The language model on the page's engine: its runtime, its backend, its session cache. */
export function lmEngineFor(engine: Engine, LanguageModelEngineClass: typeof LanguageModelEngine): LanguageModelEngine {
  let lm = lmEngines.get(engine);
  if (!lm) lmEngines.set(engine, (lm = LanguageModelEngineClass.on(engine)));
  return lm;
}

/**
 * The model and every task's texts (loaded once per file source: the site's files under `root`
 * unless `opts.files` is given) and the language-model engine on `engine`'s runtime, with the
 * engine module itself: what every language-model experiment (chapters 8 and 10) starts from.
 */
export async function loadLanguageModel(
  engine: Engine,
  root: string,
  opts: Pick<ExperimentOptions<unknown>, 'files' | 'signal'>,
  onBytes: (loaded: number, total: number) => void,
): Promise<Loaded & { lm: LanguageModelEngine; lmIndex: typeof import('../lm/index') }> {
  let files = opts.files;
  if (!files) {
    files = fetchedBy.get(root) ?? fetchFiles(root);
    fetchedBy.set(root, files);
  }
  let loading = loadedBy.get(files);
  if (!loading) {
    loading = load(files, onBytes, opts.signal);
    loadedBy.set(files, loading);
    const source = files;
    loading.catch(() => loadedBy.delete(source));
  }
  const [loaded, lmIndex] = await Promise.all([loading, import('../lm/index')]);
  return { ...loaded, lm: lmEngineFor(engine, lmIndex.LanguageModelEngine), lmIndex };
}

/** base64 of bytes (btoa exists in browsers, workers and Node ≥ 16). */
export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A frame before anything trained: what the page draws while the files load. */
export function emptyFrame(backend: LmDemoFrame['backend']): LmDemoFrame {
  return { step: 0, trainLosses: [], valLosses: [], baseSample: '', adaptedSample: '', tokensPerSecond: 0, backend, trainableParameters: 0, trainingStateBytes: 0, done: false };
}

export async function languageModelDemo(
  engine: Engine,
  settings: Partial<LanguageModelSettings> = {},
  opts: ExperimentOptions<LanguageModelProgress> = {},
): Promise<LanguageModelResult> {
  const s: LanguageModelSettings = { ...LANGUAGE_MODEL_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const modelDir = LANGUAGE_MODEL_FILES.modelDir;
  const result = (frame: LmDemoFrame): LanguageModelResult => ({ settings: s, frame, modelDir, info: clock.done(), kept: keptList });
  // The adapters kept for switching, as the page lists them (filled once the model is loaded).
  let keptList: LanguageModelResult['kept'] = undefined;
  const report = (phase: LanguageModelProgress['phase'], frame: LmDemoFrame, loaded = 0, total = 0) =>
    opts.onProgress?.({ phase, result: result(frame), steps: frame.step, loaded, total });

  throwIfAborted(opts.signal);
  const { model, texts: allTexts, lm, lmIndex } = await loadLanguageModel(engine, s.root, opts, (loaded, total) => report('loading', emptyFrame(engine.backend), loaded, total));
  const { runLanguageModelDemo, switchAdapters, peftAdapterFiles, mergedLogitsDifference, encode, validateSpec } = lmIndex;
  let kept = adaptersBy.get(model);
  if (!kept) adaptersBy.set(model, (kept = new Map()));
  const listKept = () => LM_TASKS.filter((t) => kept.has(t)).map((t) => ({ task: t, steps: kept.get(t)!.steps }));
  keptList = listKept();
  throwIfAborted(opts.signal);
  need(LM_TASKS.includes(s.task), 'task', `Choose a task (${LM_TASKS.join(', ')}), not ${JSON.stringify(s.task)}.`);
  const texts = allTexts[s.task];
  const mode = s.method === 'full' ? 'full' : { targets: [...s.targets], rank: s.rank, alpha: s.alpha, useRslora: s.scalingRule === 'alpha/sqrt(r)' };
  // What only the model can judge, before the base model's sample takes its seconds.
  if (mode !== 'full') validateSpec(model, mode);
  encode(model, s.prompt);
  report('preparing', emptyFrame(lm.backend));

  let last: LmDemoFrame | undefined;
  try {
    const r = await runLanguageModelDemo(
      lm,
      model,
      texts,
      {
        mode,
        lr: s.lr, steps: s.steps, batch: s.batch, seed: s.seed, prompt: s.prompt,
        sampleLength: s.sampleLength, temperature: s.temperature, refreshEvery: s.refreshEvery, stepsPerRun: s.stepsPerRun, valWindows: s.valWindows,
        signal: opts.signal,
      },
      (f) => {
        last = f;
        if (!f.done) report('training', f);
      },
    );
    const { adapter, model: _full, ...frame } = r;
    const out = result(frame);
    if (adapter) {
      kept.set(s.task, { adapter, steps: s.steps });
      out.kept = keptList = listKept();
    }
    // Switching (chapter 6) after any finished run, full fine-tuning's too, once two tasks have
    // an adapter: the base and each kept adapter on the same frozen base.
    if (kept.size >= 2) {
      const order = LM_TASKS.filter((t) => kept.has(t));
      out.frame = {
        ...frame,
        switching: await switchAdapters(lm, model, {
          tasks: LM_TASKS.map((t) => ({ id: t, val: encode(model, allTexts[t].val) })),
          adapters: order.map((t) => ({ id: t, ...kept.get(t)!, sample: adapter && t === s.task ? frame.adaptedSample : undefined })),
          baseSample: frame.baseSample,
          prompt: s.prompt, sampleLength: s.sampleLength, temperature: s.temperature, seed: s.seed, valWindows: s.valWindows, signal: opts.signal,
        }),
      };
    }
    if (adapter) {
      const peft = peftAdapterFiles(adapter, MODEL_NAME);
      out.peft = { config: peft['adapter_config.json'], safetensors: base64(peft['adapter_model.safetensors']) };
      // Merge check on the first held-out window: merging must change nothing but rounding.
      const ids = encode(model, texts.val.slice(0, model.config.maxPositions));
      const { maxAbsDifference } = await mergedLogitsDifference(lm, model, adapter, ids);
      out.merge = { maxAbsDifference, positions: ids.length };
    }
    out.info = clock.done();
    return out;
  } catch (e) {
    // A diverged run (or one that broke down) reports its losses up to the failing step, so the
    // chart keeps them, even when it stopped before its first frame (a breakdown pinned from step 2).
    if (e instanceof TrainingDivergedError) report('training', { ...(last ?? emptyFrame(lm.backend)), trainLosses: Array.from(e.losses), step: e.step });
    throw e;
  }
}

/**
 * The build-time (no-JavaScript) result: the committed default run, read, never trained at
 * build time. demos/lm/default-run.test.ts checks the file reproduces.
 */
export async function languageModelBuildResult(): Promise<LanguageModelResult> {
  const run = (await import('../lm/results/default-run.json')).default as unknown as { frame: LmDemoFrame };
  return { settings: { ...LANGUAGE_MODEL_DEFAULTS }, frame: run.frame, modelDir: LANGUAGE_MODEL_FILES.modelDir, info: { backend: run.frame.backend, ms: 0 } };
}
