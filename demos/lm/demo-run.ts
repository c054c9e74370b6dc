/**
 * One chapter-8 demo run as the page shows it, framework-free: train (LoRA or full), and every
 * `refreshEvery` steps measure the held-out loss and continue the prompt with the base model and
 * with the trained parameters. Live runs and the build-time (no-JavaScript) figure produce the same
 * `LmDemoFrame`, so the page can draw either.
 */
import type { LanguageModelEngine } from './engine';
import { throwIfAborted, TrainingBrokeDownError } from '../errors';
import { need } from '../validate';
import { LM_DEFAULTS } from './defaults';
import { evaluateLoss } from './evaluate';
import { type Adapter, type LanguageModel, type LoraSpec, adapterParameterCount, encode, parameterCount } from './model';
import { continuePrompt } from './sample';
import { breakdownOf, type Trained, trainLanguageModel } from './train';
import type { Optimizer } from '../types';

export interface LmDemoOptions {
  mode: LoraSpec | 'full';
  optimizer?: Optimizer;
  lr: number;
  steps: number;
  batch: number;
  seed: number;
  prompt: string;
  sampleLength: number;
  temperature: number;
  /** Steps between refreshed samples and held-out losses; a multiple of `stepsPerRun`. */
  refreshEvery: number;
  stepsPerRun?: number;
  /** Held-out windows per loss measurement. */
  valWindows?: number;
  signal?: AbortSignal;
}

export interface LmDemoFrame {
  step: number;
  trainLosses: number[];
  /** Held-out loss before training (step 0) and at every refresh. */
  valLosses: { step: number; loss: number }[];
  baseSample: string;
  adaptedSample: string;
  tokensPerSecond: number;
  backend: 'webgpu' | 'wasm';
  trainableParameters: number;
  trainingStateBytes: number;
  done: boolean;
  /** After LoRA runs on two or more tasks on one page: each adapter and the base, compared (chapter 6). */
  switching?: LmSwitch;
}

/**
 * The base model and one trained adapter per task, each applied to the same frozen base (no
 * retraining): the held-out loss of every one on every task's text, and the prompt continued by each.
 */
export interface LmSwitch {
  /** The tasks' ids: the columns of every row's `valLoss`. */
  tasks: string[];
  /** `adapter` is 'base' or a task id; `steps` the adapter's training steps (0 for the base). */
  rows: { adapter: string; steps: number; valLoss: number[]; sample: string }[];
}

/** Compare the base and the given adapters on every task's held-out tokens; continue the prompt with each. */
export async function switchAdapters(
  engine: LanguageModelEngine,
  model: LanguageModel,
  o: {
    tasks: { id: string; val: ArrayLike<number> }[];
    /** `sample`: a continuation already made with these settings (skips regenerating it). */
    adapters: { id: string; adapter: Adapter; steps: number; sample?: string }[];
    baseSample?: string;
    prompt: string;
    sampleLength: number;
    temperature: number;
    seed: number;
    valWindows?: number;
    signal?: AbortSignal;
  },
): Promise<LmSwitch> {
  const windows = o.valWindows ?? LM_DEFAULTS.valWindows;
  const sample = { maxNewTokens: o.sampleLength, temperature: o.temperature, seed: o.seed };
  const rows: LmSwitch['rows'] = [];
  for (const a of [{ id: 'base', adapter: undefined, steps: 0, sample: o.baseSample }, ...o.adapters]) {
    const valLoss: number[] = [];
    for (const t of o.tasks) {
      throwIfAborted(o.signal);
      valLoss.push(await evaluateLoss(engine, model, t.val, { windows }, a.adapter));
    }
    rows.push({ adapter: a.id, steps: a.steps, valLoss, sample: a.sample ?? (await continuePrompt(engine, model, o.prompt, sample, a.adapter)) });
  }
  return { tasks: o.tasks.map((t) => t.id), rows };
}

export async function runLanguageModelDemo(
  engine: LanguageModelEngine,
  model: LanguageModel,
  texts: { train: string; val: string },
  o: LmDemoOptions,
  onFrame?: (f: LmDemoFrame) => void | Promise<void>,
): Promise<LmDemoFrame & Trained> {
  const K = o.stepsPerRun ?? LM_DEFAULTS.stepsPerRun;
  need(Number.isInteger(o.refreshEvery) && o.refreshEvery >= K && o.refreshEvery % K === 0, 'refreshEvery', `Samples refresh every ${K} steps or a multiple of it, not every ${o.refreshEvery}.`, 'stepsPerRun');
  const sample = { maxNewTokens: o.sampleLength, temperature: o.temperature, seed: o.seed };
  encode(model, o.prompt); // a prompt outside the vocabulary fails before anything trains
  const train = encode(model, texts.train);
  const val = encode(model, texts.val);
  const windows = o.valWindows ?? LM_DEFAULTS.valWindows;
  const trainableParameters = o.mode === 'full' ? parameterCount(model.config) : adapterParameterCount(model.config, o.mode);
  const baseSample = await continuePrompt(engine, model, o.prompt, sample);
  const frame: LmDemoFrame = {
    step: 0, trainLosses: [], valLosses: [{ step: 0, loss: await evaluateLoss(engine, model, val, { windows }) }],
    baseSample, adaptedSample: baseSample, tokensPerSecond: 0, backend: engine.backend, trainableParameters, trainingStateBytes: 16 * trainableParameters, done: false,
  };
  const breakdown = breakdownOf(model.config.vocabSize);
  const refresh = async (t: Trained, step: number): Promise<void> => {
    const m = t.model ?? model;
    const loss = await evaluateLoss(engine, m, val, { windows }, t.adapter);
    // Non-finite or uniform (all-equal, e.g. all-zero) logits on held-out text: the model broke
    // down even if the training losses did not show it. Reported like a divergence, at this step.
    if (!Number.isFinite(loss) || Math.abs(loss - breakdown.loss) <= breakdown.tolerance) {
      throw new TrainingBrokeDownError(step, Float32Array.from(frame.trainLosses), `the held-out loss is ${loss}: the model's logits are ${Number.isFinite(loss) ? 'all equal (typically all zero)' : 'not finite'}.`);
    }
    frame.valLosses.push({ step, loss });
    frame.adaptedSample = await continuePrompt(engine, m, o.prompt, sample, t.adapter);
  };
  const r = await trainLanguageModel(engine, {
    model, tokens: train, mode: o.mode, optimizer: o.optimizer ?? 'adam', lr: o.lr, steps: o.steps, batch: o.batch, seed: o.seed, stepsPerRun: K, signal: o.signal,
    onProgress: async ({ step, losses, tokensPerSecond, snapshot }) => {
      frame.step = step;
      frame.trainLosses = Array.from(losses);
      frame.tokensPerSecond = tokensPerSecond;
      if (step % o.refreshEvery === 0 && step < o.steps) await refresh(await snapshot(), step);
      await onFrame?.({ ...frame });
    },
  });
  await refresh(r, o.steps);
  frame.done = true;
  await onFrame?.({ ...frame });
  return { ...frame, adapter: r.adapter, model: r.model };
}
