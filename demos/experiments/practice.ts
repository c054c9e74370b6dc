/**
 * Chapter 9, LoRA in practice: what its six demos share. A training demo's live run is one point
 * (the reader's settings) trained and measured by demos/lm/practice.ts; its build-time result has
 * no point, and the page draws the committed study (demos/lm/results/practice.json, written by
 * scripts/lm/practice-run.ts) with the reader's point beside it. The memory demo is computed
 * from the engine's training graph, so it is computed at build time as well as live.
 *
 * Files come from a FileSource as in chapter 8 (the site's files over HTTP on a page; the
 * repository's public/ folder in Node), loaded once per source.
 */
import { throwIfAborted } from '../errors';
import type { LanguageModel } from '../lm/index';
import type { PracticeTexts } from '../lm/practice';
import { LANGUAGE_MODEL_FILES, LM_TASKS, type LmTask } from '../lm/files';
import type { Engine } from '../types';
import { need } from '../validate';
import { runClock } from './clock';
import { DEFAULTS } from './defaults';
import { fetchFiles, lmEngineFor } from './language-model';
import type { ExperimentOptions, FileSource, PracticeMemoryResult, PracticeMemorySettings, PracticeProgress, PracticeResult, PracticeSettings } from './types';

interface Loaded {
  model: LanguageModel;
  tasks: Record<LmTask, { train: number[]; val: number[] }>;
  austen: number[];
}
const loadedBy = new WeakMap<FileSource, Promise<Loaded>>();
const fetchedBy = new Map<string, FileSource>();

function sourceFor(root: string, files?: FileSource): FileSource {
  if (files) return files;
  let f = fetchedBy.get(root);
  if (!f) fetchedBy.set(root, (f = fetchFiles(root)));
  return f;
}

async function load(files: FileSource, onBytes: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Loaded> {
  const { parseModel, encode } = await import('../lm/index');
  const dir = LANGUAGE_MODEL_FILES.modelDir;
  const texts = [...LM_TASKS.flatMap((t) => [LANGUAGE_MODEL_FILES.tasks[t].train, LANGUAGE_MODEL_FILES.tasks[t].val]), LANGUAGE_MODEL_FILES.pretraining.val];
  const paths = [...LANGUAGE_MODEL_FILES.model.map((f) => `${dir}/${f}`), ...texts];
  const progress = paths.map(() => ({ loaded: 0, total: 0 }));
  const bytes = await Promise.all(
    paths.map((p, i) =>
      files.read(p, (loaded, total) => {
        progress[i] = { loaded, total };
        onBytes(progress.reduce((n, q) => n + q.loaded, 0), progress.reduce((n, q) => n + q.total, 0));
      }, signal),
    ),
  );
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const [config, weights, vocab, ...rest] = bytes as [Uint8Array, Uint8Array, Uint8Array, ...Uint8Array[]];
  const model = parseModel(text(config), weights, text(vocab));
  const tokens = (b: Uint8Array) => encode(model, text(b));
  const tasks = Object.fromEntries(LM_TASKS.map((t, i) => [t, { train: tokens(rest[2 * i]!), val: tokens(rest[2 * i + 1]!) }])) as Loaded['tasks'];
  return { model, tasks, austen: tokens(rest[rest.length - 1]!) };
}

/** Train and measure one point with the reader's settings (the five training demos' live run). */
export async function practicePoint(
  engine: Engine,
  settings: Partial<PracticeSettings>,
  defaults: PracticeSettings,
  opts: ExperimentOptions<PracticeProgress> = {},
): Promise<PracticeResult> {
  const s: PracticeSettings = { ...defaults, ...settings };
  const clock = runClock(engine);
  need(LM_TASKS.includes(s.task), 'task', `Choose a task (${LM_TASKS.join(', ')}), not ${JSON.stringify(s.task)}.`);
  const base = (): PracticeResult => ({ settings: s, info: clock.done() });
  const progress = (p: Omit<PracticeProgress, 'result'>) => opts.onProgress?.({ result: base(), ...p });
  throwIfAborted(opts.signal);
  const files = sourceFor(s.root, opts.files);
  let loading = loadedBy.get(files);
  if (!loading) {
    loading = load(files, (loaded, total) => progress({ phase: 'loading', loaded, total, steps: 0, trainLosses: [], curve: [] }), opts.signal);
    loadedBy.set(files, loading);
    loading.catch(() => loadedBy.delete(files));
  }
  const [{ model, tasks, austen }, lmModule, practice] = await Promise.all([loading, import('../lm/index'), import('../lm/practice')]);
  const lm = lmEngineFor(engine, lmModule.LanguageModelEngine);
  const texts: PracticeTexts = { ...tasks[s.task], austen };
  const point = await practice.runPoint(lm, model, texts, {
      method: s.method, targets: [...s.targets], rank: s.rank, alpha: s.alpha, rslora: s.scalingRule === 'alpha/sqrt(r)',
      lr: s.lr, steps: s.steps, batch: s.batch, seed: s.seed, slice: s.slice, evalEvery: s.evalEvery,
    }, {
      windows: s.valWindows, stepsPerRun: s.stepsPerRun, signal: opts.signal,
      onProgress: ({ step, trainLosses, curve }) => progress({ phase: 'training', loaded: 0, total: 0, steps: step, trainLosses, curve }),
    });
  return { settings: s, point, info: clock.done() };
}

/** Chapter 6's 7B model (LLaMA-7B: Touvron et al. 2023, Table 2; its config.json on the Hub). */
export const LLAMA_7B = { vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32, maxPositions: 2048, rmsNormEps: 1e-6, ropeTheta: 10000 };

/** The memory of a training step, LoRA beside full fine-tuning, on the chapter-8 model and the 7B one. */
export async function practiceMemory(engine: Engine | undefined, settings: Partial<PracticeMemorySettings> = {}, opts: ExperimentOptions<never> = {}): Promise<PracticeMemoryResult> {
  const s: PracticeMemorySettings = { ...DEFAULTS.practiceMemory, ...settings };
  const clock = runClock(engine ?? { backend: 'wasm' });
  const files = sourceFor(s.root, opts.files);
  const [{ parseConfig, validateSpec }, { trainingMemory, nf4FrozenBytes }] = await Promise.all([import('../lm/index'), import('../lm/practice')]);
  const config = parseConfig(new TextDecoder().decode(await files.read(`${LANGUAGE_MODEL_FILES.modelDir}/config.json`, undefined, opts.signal)));
  const spec = { targets: [...s.targets], rank: s.rank, alpha: 1, useRslora: false };
  validateSpec({ config, vocab: [], weights: new Map() }, spec);
  validateSpec({ config: LLAMA_7B, vocab: [], weights: new Map() }, spec);
  need(Number.isInteger(s.context) && s.context >= 2 && s.context <= config.maxPositions, 'context', `The context must be a whole number from 2 to the model's ${config.maxPositions} characters, not ${s.context}.`);
  need(Number.isInteger(s.bigContext) && s.bigContext >= 2 && s.bigContext <= LLAMA_7B.maxPositions, 'bigContext', `The 7B model's context must be a whole number from 2 to its ${LLAMA_7B.maxPositions} tokens, not ${s.bigContext}.`);
  need(Number.isInteger(s.batch) && s.batch >= 1 && s.batch <= 64, 'batch', `The batch must be a whole number from 1 to 64, not ${s.batch}.`);
  need(Number.isInteger(s.bigBatch) && s.bigBatch >= 1 && s.bigBatch <= 64, 'bigBatch', `The 7B model's batch must be a whole number from 1 to 64, not ${s.bigBatch}.`);
  const total = (m: { frozen: number; trainable: number; activations: number; input: number; gradients: number; optimizer: number }) =>
    m.frozen + m.trainable + m.activations + m.input + m.gradients + m.optimizer;
  const rows: PracticeMemoryResult['rows'] = [];
  for (const [model, c, B, T] of [['This chapter’s model', config, s.batch, s.context], ['7B (LLaMA)', LLAMA_7B, s.bigBatch, s.bigContext]] as const) {
    const lora = trainingMemory(c, spec, B, T);
    const full = trainingMemory(c, 'full', B, T);
    rows.push({ model, method: 'lora', memory: lora, total: total(lora) });
    rows.push({ model, method: 'full', memory: full, total: total(full) });
    if (c === LLAMA_7B) {
      const q = { ...lora, frozen: nf4FrozenBytes(c) };
      rows.push({ model, method: 'qlora', memory: q, total: total(q) });
    }
  }
  return { settings: s, rows, info: clock.done() };
}
