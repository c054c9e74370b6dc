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
 * (in the engine worker, for the page's life). Once two tasks have one, a run ends by comparing
 * the base and each adapter on the same frozen base: held-out loss on every task, and the prompt
 * continued by each (`frame.switching`).
 */
import { SettingError, throwIfAborted, TrainingDivergedError } from '../errors';
import type { Adapter, LanguageModel, LanguageModelEngine, LmDemoFrame } from '../lm/index';
import { LM_DEMO_DEFAULTS } from '../lm/defaults';
import type { Engine } from '../types';
import { fromSettings, runClock } from './matrix';
import type { ExperimentOptions, LanguageModelProgress, LanguageModelResult, LanguageModelSettings, LmTask } from './types';

/** The committed base model and texts, as paths under the site's root (public/). */
export const LANGUAGE_MODEL_FILES = {
  modelDir: 'models/austen-char-llama',
  model: ['config.json', 'model.safetensors', 'vocab.json'] as const,
  /** The default task's texts. */
  train: 'corpora/devil-train.txt',
  val: 'corpora/devil-val.txt',
  /** Every task's texts, in the order the switch compares them. */
  tasks: {
    devil: { label: "The Devil's Dictionary", train: 'corpora/devil-train.txt', val: 'corpora/devil-val.txt' },
    sotu: { label: 'State of the Union addresses', train: 'corpora/sotu-train.txt', val: 'corpora/sotu-val.txt' },
  },
} as const;
export const LM_TASKS = Object.keys(LANGUAGE_MODEL_FILES.tasks) as LmTask[];

/**
 * The demo's defaults: the engine's (LM_DEMO_DEFAULTS) for the adapter and optimizer, and the
 * committed default run's (demos/lm/results/default-run.json) for its length, prompt and
 * samples, so the build-time figure is what these settings compute.
 */
export const LANGUAGE_MODEL_DEFAULTS: LanguageModelSettings = {
  method: 'lora',
  task: 'devil',
  targets: [...LM_DEMO_DEFAULTS.targets],
  rank: LM_DEMO_DEFAULTS.rank,
  alpha: LM_DEMO_DEFAULTS.alpha,
  scalingRule: 'alpha/r',
  lr: LM_DEMO_DEFAULTS.lr,
  steps: 300,
  batch: LM_DEMO_DEFAULTS.batch,
  seed: LM_DEMO_DEFAULTS.seed,
  prompt: 'LOVE, n.  ',
  sampleLength: 120,
  temperature: 0.7,
  refreshEvery: 100,
  stepsPerRun: LM_DEMO_DEFAULTS.stepsPerRun,
  valWindows: 16,
  root: '/',
};

/** A source of the site's static files, by path under its root. */
export interface FileSource {
  /** The file's bytes; `onBytes(loaded, total)` follows the download (total 0 when unknown). */
  read(path: string, onBytes?: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array>;
}

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

/** How the engine's input codes map to this experiment's settings (the prompt's characters are the prompt). */
const LM_INPUTS = { targets: 'targets', rank: 'rank', alpha: 'alpha', lr: 'lr', steps: 'steps', batch: 'batch', vocabulary: 'prompt', prompt: 'prompt' } as const;

interface Loaded {
  model: LanguageModel;
  texts: Record<LmTask, { train: string; val: string }>;
}
/** The last LoRA adapter trained on each task, per loaded model (what the switch compares). */
const adaptersBy = new WeakMap<LanguageModel, Map<LmTask, { adapter: Adapter; steps: number }>>();
// One model per file source and one LM engine per engine: a second run reuses both.
const loadedBy = new WeakMap<FileSource, Promise<Loaded>>();
const fetchedBy = new Map<string, FileSource>();
const lmEngines = new WeakMap<Engine, Promise<LanguageModelEngine>>();

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

function lmEngineFor(engine: Engine): Promise<LanguageModelEngine> {
  let p = lmEngines.get(engine);
  if (!p) {
    p = import('../lm/index').then(({ LanguageModelEngine }) => LanguageModelEngine.create({ backend: engine.backend }));
    lmEngines.set(engine, p);
    p.catch(() => lmEngines.delete(engine));
  }
  return p;
}

/** base64 of bytes (btoa exists in browsers, workers and Node ≥ 16). */
function base64(bytes: Uint8Array): string {
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
  const result = (frame: LmDemoFrame): LanguageModelResult => ({ settings: s, frame, modelDir, info: clock.done() });
  const report = (phase: LanguageModelProgress['phase'], frame: LmDemoFrame, loaded = 0, total = 0) =>
    opts.onProgress?.({ phase, result: result(frame), steps: frame.step, loaded, total });

  throwIfAborted(opts.signal);
  let files = opts.files;
  if (!files) {
    files = fetchedBy.get(s.root) ?? fetchFiles(s.root);
    fetchedBy.set(s.root, files);
  }
  let loading = loadedBy.get(files);
  if (!loading) {
    loading = load(files, (loaded, total) => report('loading', emptyFrame(engine.backend), loaded, total), opts.signal);
    loadedBy.set(files, loading);
    loading.catch(() => loadedBy.delete(files));
  }
  const [{ model, texts: allTexts }, lm, { runLanguageModelDemo, switchAdapters, peftAdapterFiles, mergedLogitsDifference, encode, validateSpec }] = await Promise.all([loading, lmEngineFor(engine), import('../lm/index')]);
  throwIfAborted(opts.signal);
  if (!LM_TASKS.includes(s.task)) throw new SettingError('task', `Choose a task (${LM_TASKS.join(', ')}), not ${JSON.stringify(s.task)}.`);
  const texts = allTexts[s.task];
  const mode = s.method === 'full' ? 'full' : { targets: [...s.targets], rank: s.rank, alpha: s.alpha, useRslora: s.scalingRule === 'alpha/sqrt(r)' };
  // What only the model can judge, before the base model's sample takes its seconds.
  await fromSettings(LM_INPUTS, async () => {
    if (mode !== 'full') validateSpec(model, mode);
    encode(model, s.prompt);
  });
  report('preparing', emptyFrame(lm.backend));

  let last: LmDemoFrame | undefined;
  try {
    const r = await fromSettings(LM_INPUTS, () =>
      runLanguageModelDemo(
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
      ),
    );
    const { adapter, model: _full, ...frame } = r;
    const out = result(frame);
    if (adapter) {
      const peft = peftAdapterFiles(adapter, modelDir);
      out.peft = { config: peft['adapter_config.json'], safetensors: base64(peft['adapter_model.safetensors']) };
      // Merge check on the first held-out window: merging must change nothing but rounding.
      const ids = encode(model, texts.val.slice(0, model.config.maxPositions));
      const { maxAbsDifference } = await mergedLogitsDifference(lm, model, adapter, ids);
      out.merge = { maxAbsDifference, positions: ids.length };
      let kept = adaptersBy.get(model);
      if (!kept) adaptersBy.set(model, (kept = new Map()));
      kept.set(s.task, { adapter, steps: s.steps });
      if (kept.size >= 2) {
        const order = LM_TASKS.filter((t) => kept.has(t));
        out.frame = {
          ...frame,
          switching: await switchAdapters(lm, model, {
            tasks: LM_TASKS.map((t) => ({ id: t, val: encode(model, allTexts[t].val) })),
            adapters: order.map((t) => ({ id: t, ...kept.get(t)!, sample: t === s.task ? frame.adaptedSample : undefined })),
            baseSample: frame.baseSample,
            prompt: s.prompt, sampleLength: s.sampleLength, temperature: s.temperature, seed: s.seed, valWindows: s.valWindows, signal: opts.signal,
          }),
        };
      }
      out.info = clock.done();
    }
    return out;
  } catch (e) {
    // A diverged run reports its losses up to the failing step, so the chart keeps them.
    if (e instanceof TrainingDivergedError && last) report('training', { ...last, trainLosses: Array.from(e.losses), step: e.step });
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
