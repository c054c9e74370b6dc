/**
 * Chapter 9, LoRA in practice: the measurements behind the practitioner's choices, on the
 * chapter-8 model. One training run (a "point": LoRA on some modules at some rank, α, rate, or
 * full fine-tuning) measured on fixed held-out windows of the task's text and of held-out Austen
 * (the pretraining text), with a standard error from the windows; and the memory a training step
 * really holds, read off the engine's own training graph.
 *
 * Framework-free; the chapter's six experiments (demos/experiments/practice-*.ts), the committed
 * study (scripts/lm/practice-run.ts → demos/lm/results/practice.json) and its test all call
 * these functions, so a live re-run and the committed figure are the same computation.
 */
import { throwIfAborted } from '../errors';
import { GraphBuilder } from '../onnx/builder';
import { isWhole, need } from '../validate';
import { Tape, type Tensor } from './autodiff';
import type { LanguageModelEngine } from './engine';
import { heldOutWindows } from './evaluate';
import { adapterInputs, buildForward, weightInputs } from './graph';
import { type Adapter, type LanguageModel, type LlamaConfig, type LoraSpec, type TargetModule, adapterParameterCount, parameterCount } from './model';
import { trainLanguageModel } from './train';

/** One run's settings. `slice` > 0 trains on the first `slice` characters only (the overfitting study). */
export interface PointSpec {
  method: 'lora' | 'full';
  targets: TargetModule[];
  rank: number;
  alpha: number;
  rslora: boolean;
  lr: number;
  steps: number;
  batch: number;
  seed: number;
  /** Training characters used (0: the whole training text). */
  slice: number;
  /** Steps between held-out measurements during training (0: only before and after). */
  evalEvery: number;
}

/**
 * A held-out measurement: the mean cross-entropy over fixed windows, and its standard error
 * (the windows' standard deviation over √n). `windows` are the per-window losses, so that two
 * runs measured on the same windows can be compared pairwise.
 */
export interface HeldOut {
  loss: number;
  se: number;
  windows: number[];
}

export interface Point {
  spec: PointSpec;
  trainable: number;
  trainLosses: number[];
  /** On the task's held-out text, and on held-out Austen, after training. */
  task: HeldOut;
  austen: HeldOut;
  /** Held-out task loss at step 0 and every `evalEvery` steps (empty when evalEvery is 0). */
  curve: { step: number; loss: number; se: number }[];
  /** Epochs over the training tokens the run made: steps × batch × context / training length. */
  epochs: number;
}

export interface PracticeTexts {
  train: ArrayLike<number>;
  val: ArrayLike<number>;
  austen: ArrayLike<number>;
}

/** Mean and standard error of a list: the sample standard deviation (n − 1) over √n. */
export function meanAndSe(xs: readonly number[]): { mean: number; se: number } {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, se: NaN };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n) };
}

/**
 * Held-out loss per window: `count` windows evenly spaced through `tokens` (evaluate.ts's
 * heldOutWindows, so the same windows as chapter 8's held-out loss), each scored as its mean
 * cross-entropy over its positions, in float64 from the model's logits:
 * ℓ_b = (1/T) Σ_t [log Σ_c exp z_{b,t,c} − z_{b,t,y_{b,t}}].
 */
export async function heldOut(engine: LanguageModelEngine, model: LanguageModel, tokens: ArrayLike<number>, count: number, adapter?: Adapter): Promise<HeldOut> {
  need(isWhole(count, 2, 4096), 'valWindows', `The number of held-out windows must be a whole number from 2 to 4096, not ${count}.`);
  const T = model.config.maxPositions;
  const V = model.config.vocabSize;
  const batch = heldOutWindows(tokens, count, T);
  const { logits } = await engine.forward(model, { x: batch.x, y: batch.y, batch: count, context: T }, adapter);
  const windows: number[] = [];
  for (let b = 0; b < count; b++) {
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * V;
      let max = -Infinity;
      for (let c = 0; c < V; c++) max = Math.max(max, logits[row + c]!);
      let z = 0;
      for (let c = 0; c < V; c++) z += Math.exp(logits[row + c]! - max);
      sum += max + Math.log(z) - logits[row + batch.y[b * T + t]!]!;
    }
    windows.push(sum / T);
  }
  const { mean, se } = meanAndSe(windows);
  return { loss: mean, se, windows };
}

/** The paired standard error of the difference between two measurements on the same windows. */
export function pairedDifference(a: HeldOut, b: HeldOut): { diff: number; se: number } {
  need(a.windows.length === b.windows.length, 'valWindows', 'Two held-out losses compare pairwise only on the same windows.');
  const { mean, se } = meanAndSe(a.windows.map((w, i) => w - b.windows[i]!));
  return { diff: mean, se };
}

export const loraSpecOf = (p: PointSpec): LoraSpec => ({ targets: [...p.targets], rank: p.rank, alpha: p.alpha, useRslora: p.rslora });

export function trainableOf(c: LlamaConfig, p: PointSpec): number {
  return p.method === 'full' ? parameterCount(c) : adapterParameterCount(c, loraSpecOf(p));
}

/**
 * Train one point and measure it. `onProgress` gets the run so far after every graph run (the
 * live chart); held-out losses during training come from `snapshot()` every `evalEvery` steps.
 */
export async function runPoint(
  engine: LanguageModelEngine,
  model: LanguageModel,
  texts: PracticeTexts,
  spec: PointSpec,
  o: { windows: number; stepsPerRun: number; signal?: AbortSignal; onProgress?: (p: { step: number; trainLosses: number[]; curve: Point['curve'] }) => void | Promise<void> },
): Promise<Point> {
  need(isWhole(spec.slice, 0, texts.train.length), 'slice', `The training slice must be a whole number of characters from 0 (all) to ${texts.train.length}, not ${spec.slice}.`);
  need(spec.slice === 0 || spec.slice > model.config.maxPositions + 1, 'slice', `A training slice must be longer than one window (${model.config.maxPositions + 1} characters), or 0 for the whole text.`);
  need(isWhole(spec.evalEvery, 0, spec.steps) && (spec.evalEvery === 0 || spec.evalEvery % o.stepsPerRun === 0), 'evalEvery', `Held-out measurements come every ${o.stepsPerRun} steps or a multiple of it (0: only at the end), at most every ${spec.steps}; not every ${spec.evalEvery}.`);
  const tokens = spec.slice > 0 ? Array.prototype.slice.call(texts.train, 0, spec.slice) as number[] : texts.train;
  const curve: Point['curve'] = [];
  if (spec.evalEvery > 0) {
    const h = await heldOut(engine, model, texts.val, o.windows);
    curve.push({ step: 0, loss: h.loss, se: h.se });
  }
  const trained = await trainLanguageModel(engine, {
    model, tokens, mode: spec.method === 'full' ? 'full' : loraSpecOf(spec), lr: spec.lr, steps: spec.steps, batch: spec.batch, seed: spec.seed,
    stepsPerRun: o.stepsPerRun, signal: o.signal,
    onProgress: async ({ step, losses, snapshot }) => {
      if (spec.evalEvery > 0 && step % spec.evalEvery === 0 && step < spec.steps) {
        const t = await snapshot();
        const h = await heldOut(engine, t.model ?? model, texts.val, o.windows, t.adapter);
        curve.push({ step, loss: h.loss, se: h.se });
      }
      await o.onProgress?.({ step, trainLosses: Array.from(losses), curve: [...curve] });
    },
  });
  throwIfAborted(o.signal);
  const m = trained.model ?? model;
  const task = await heldOut(engine, m, texts.val, o.windows, trained.adapter);
  const austen = await heldOut(engine, m, texts.austen, o.windows, trained.adapter);
  if (spec.evalEvery > 0) curve.push({ step: spec.steps, loss: task.loss, se: task.se });
  return {
    spec, trainable: trained.trainableParameters, trainLosses: Array.from(trained.losses), task, austen, curve,
    epochs: (spec.steps * spec.batch * model.config.maxPositions) / tokens.length,
  };
}

// ---- memory ----

/** Bytes a training step holds, by kind (float32 throughout, as the engine trains). */
export interface MemoryBreakdown {
  /** Weights not trained (LoRA's base model; nothing under full fine-tuning). */
  frozen: number;
  /** The trained parameters themselves. */
  trainable: number;
  /** Forward values the backward pass reads (what a framework keeps between the two passes). */
  activations: number;
  /** The batch's one-hot input, where the backward pass reads it (the embedding's gradient). */
  input: number;
  gradients: number;
  /** Adam's two moments. */
  optimizer: number;
  /** How many distinct forward tensors the backward pass reads. */
  keptTensors: number;
}

const numel = (s: readonly number[]): number => s.reduce((n, d) => n * d, 1);

/**
 * What one training step of `mode` at batch B and context T holds, read off the engine's own
 * graph: build the forward on a Tape, note where it ends, build the backward (`Tape.grad`), then
 * every tensor a backward node reads that a forward node produced must be kept from the forward
 * pass to the backward pass: those are the activations. Weights, trained parameters, gradients
 * (one per parameter) and Adam's moments (two per parameter) are counted from the parameters.
 * Only shapes matter, so any config works (chapter 6's 7B model included): no weights are loaded.
 */
export function trainingMemory(c: LlamaConfig, mode: LoraSpec | 'full', B: number, T: number): MemoryBreakdown {
  need(isWhole(B, 1, 1 << 16), 'batch', `The batch must be a whole number from 1, not ${B}.`);
  need(isWhole(T, 2, 1 << 20), 'context', `The context must be a whole number from 2, not ${T}.`);
  const g = new GraphBuilder('memory');
  const t = new Tape(g);
  const full = mode === 'full';
  const weights = weightInputs(t, c, full);
  const adapter = full ? undefined : { tensors: adapterInputs(t, c, mode), spec: mode };
  const x = t.input('x', [B * T, c.vocabSize]);
  const y = t.input('y', [B * T, c.vocabSize]);
  const { loss } = buildForward(t, c, { batch: B, context: T }, weights, x, y, adapter);
  const forwardEnd = g.size;
  const wrt: Tensor[] = full ? [...weights.values()] : [...adapter!.tensors.values()].flatMap((p) => [p.a, p.b]);
  t.grad(loss!, wrt);
  const nodes = g.toModel().graph!.node!;
  const produced = new Set<string>();
  for (const n of nodes.slice(0, forwardEnd)) for (const o of n.output ?? []) produced.add(o);
  const kept = new Set<string>();
  for (const n of nodes.slice(forwardEnd)) for (const i of n.input ?? []) if (produced.has(i)) kept.add(i);
  let activations = 0;
  for (const name of kept) {
    const shape = t.shapes.get(name);
    // A kept tensor the tape has no shape for would be a graph helper (a reshape's target shape);
    // those are int64 constants of a few entries, produced by Constant nodes: count them as 0.
    if (shape) activations += 4 * numel(shape);
  }
  // The one-hot input is a graph input, not a node's output: the backward reads it only for the
  // embedding's gradient (full fine-tuning). PyTorch would keep the token ids instead.
  let readsInput = false;
  for (const n of nodes.slice(forwardEnd)) if ((n.input ?? []).includes(x.name)) readsInput = true;
  const trainable = full ? parameterCount(c) : adapterParameterCount(c, mode);
  return {
    frozen: full ? 0 : 4 * parameterCount(c),
    trainable: 4 * trainable,
    activations,
    input: readsInput ? 4 * B * T * c.vocabSize : 0,
    gradients: 4 * trainable,
    optimizer: 8 * trainable,
    keptTensors: kept.size,
  };
}

/**
 * The frozen weights of a model under QLoRA's storage: every decoder linear weight in NF4, 4 bits
 * per value plus one float32 absmax per block of 64 values (4 + 32/64 = 4.5 bits per value);
 * embedding, output head and norms stay float32 as the engine keeps them.
 */
export function nf4FrozenBytes(c: LlamaConfig): number {
  const linear = c.numLayers * (4 * c.hiddenSize * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize);
  const rest = parameterCount(c) - linear;
  return linear / 2 + 4 * Math.ceil(linear / 64) + 4 * rest;
}
