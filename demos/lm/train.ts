/**
 * Training the language model: LoRA adapters (frozen base) or every weight (full fine-tuning),
 * K optimizer steps unrolled per graph run on the engine's one loop (demos/train-loop.ts): parameters and Adam moments fed back (kept on the
 * GPU on WebGPU), sessions cached per shape, AbortSignal between runs, divergence stops with
 * its step. `losses[t]` is the loss of step t's batch before update t, as PyTorch's loop logs it.
 */
import { throwIfAborted } from '../errors';
import { adamStep, HP, sgdStep } from '../graphs/optimizer';
import { GraphBuilder } from '../onnx/builder';
import type { OrtTensor } from '../runtime';
import { TorchGenerator } from '../random';
import { runsOf } from '../plan-runs';
import { type Breakdown, trainLoop } from '../train-loop';
import type { Optimizer } from '../types';
import { isPositive, isWhole, need } from '../validate';
import { Tape, type Tensor } from './autodiff';
import { LM_DEFAULTS, MAX_LM_BATCH, MAX_LM_STEPS, MAX_LM_STEPS_PER_RUN } from './defaults';
import { type LanguageModelEngine, oneHot, specKey, type Batch } from './engine';
import { adapterInputNames, buildForward, weightShape } from './graph';
import { type Adapter, type LanguageModel, type LoraPair, type LoraSpec, LORA_INITS, TARGET_MODULES, type Weight, adapterParameterCount, drawPeftInit, modulePath, moduleAlpha, moduleRank, moduleShape, parameterCount, weightNames } from './model';

export interface LmTrainOptions {
  model: LanguageModel;
  /** Training tokens; windows of context + 1 are drawn from them at random (seeded). */
  tokens: ArrayLike<number>;
  /** LoRA spec, or 'full' for full fine-tuning of every weight. */
  mode: LoraSpec | 'full';
  /**
   * Starting adapter (LoRA); default: PEFT's initialisation drawn from the seeded generator
   * (`drawPeftInit`), the batches then drawn from the same generator, as
   * `torch.manual_seed(seed)`, `get_peft_model(...)`, then `torch.randint` per step draw them.
   * A supplied adapter draws nothing: the batches start from the fresh seed.
   */
  adapter?: Adapter;
  optimizer?: Optimizer;
  lr: number;
  /**
   * LoRA+ (PEFT's `create_loraplus_optimizer`): B's learning rate is this ratio times A's. As in
   * PEFT, every 1-D trainable (DoRA's magnitude) is in B's group too. Default 1 (plain LoRA).
   */
  loraplusRatio?: number;
  steps: number;
  batch: number;
  /** Window length, ≤ the model's context; default the model's context. */
  context?: number;
  seed?: number;
  /** Optimizer steps unrolled in one graph run (K). */
  stepsPerRun?: number;
  /** Explicit batches (tests): overrides drawing from `tokens`. */
  batches?: (step: number) => Batch;
  signal?: AbortSignal;
  /**
   * Called after every run; `snapshot()` reads the parameters trained so far (from the GPU on
   * WebGPU), for a refreshed sample or a held-out loss between runs.
   */
  onProgress?: (p: { step: number; losses: Float32Array; tokensPerSecond: number; snapshot: () => Promise<Trained> }) => void | Promise<void>;
}

/** What training produced: the adapter (LoRA) or the fine-tuned model (full). */
export interface Trained {
  adapter?: Adapter;
  model?: LanguageModel;
}

export interface LmTrainResult extends Trained {
  losses: Float32Array;
  trainableParameters: number;
  /** Bytes of trainable parameters, their gradients and Adam's two moments (float32). */
  trainingStateBytes: number;
  tokensPerSecond: number;
  seconds: number;
}

export function validateSpec(model: LanguageModel, spec: LoraSpec): void {
  need(Array.isArray(spec.targets) && spec.targets.length > 0, 'targets', `Choose at least one module to adapt (${TARGET_MODULES.join(', ')}).`);
  const unknown = spec.targets.filter((t) => !(TARGET_MODULES as readonly string[]).includes(t));
  need(unknown.length === 0, 'targets', `Unknown target module ${unknown.map((u) => `"${u}"`).join(', ')}: choose from ${TARGET_MODULES.join(', ')}.`);
  need(spec.init === undefined || LORA_INITS.includes(spec.init), 'init', `The initialisation must be one of ${LORA_INITS.join(', ')}, not ${JSON.stringify(spec.init)}.`);
  for (const [name, pattern] of [['rank_pattern', spec.rankPattern], ['alpha_pattern', spec.alphaPattern]] as const) {
    for (const [key, v] of Object.entries(pattern ?? {})) {
      let valid = true;
      try {
        new RegExp(key);
      } catch {
        valid = false;
      }
      need(valid, 'pattern', `${name}: the key ${JSON.stringify(key)} is not a valid regular expression.`);
      const ok = name === 'rank_pattern' ? isWhole(v, 1, Infinity) : isPositive(v);
      need(ok, 'pattern', `${name}: the value for ${JSON.stringify(key)} must be ${name === 'rank_pattern' ? 'a whole number ≥ 1' : 'a finite number above 0'}, not ${v}.`);
    }
  }
  for (let i = 0; i < model.config.numLayers; i++) {
    for (const t of spec.targets) {
      const [out, inp] = moduleShape(model.config, t);
      const width = Math.min(out, inp);
      const path = modulePath(i, t);
      const r = moduleRank(spec, path);
      const from = r === spec.rank ? 'The rank' : `The rank of ${path} (from rank_pattern)`;
      need(isWhole(r, 1, width), 'rank', `${from} must be a whole number from 1 to ${width} (the width of ${t}, ${out} × ${inp}), not ${r}.`);
      // PEFT saves a trained PiSSA adapter for the original base as a rank-2r LoRA.
      need(spec.init !== 'pissa' || 2 * r <= width, 'rank', `PiSSA saves a rank-2r adapter: the rank of ${path} must be at most ${Math.floor(width / 2)}, not ${r}.`);
      const a = moduleAlpha(spec, path);
      need(isPositive(a), 'alpha', `α must be a finite number above 0, not ${a}.`);
    }
  }
  need(!(spec.init === 'pissa' && spec.useDora), 'init', "PiSSA with DoRA cannot be saved for the original base: PEFT's conversion keeps only lora_A and lora_B and drops the magnitude. Choose one.");
  const patterned = Object.keys(spec.rankPattern ?? {}).length > 0 || Object.keys(spec.alphaPattern ?? {}).length > 0;
  need(!(spec.init === 'pissa' && spec.useRslora && patterned), 'init', 'PEFT cannot convert a PiSSA adapter with rsLoRA and rank/alpha patterns together for the original base: drop one.');
}

function validate(o: LmTrainOptions, context: number, K: number, optimizer: Optimizer): void {
  need(optimizer === 'adam' || optimizer === 'sgd', 'optimizer', `The optimizer must be "adam" or "sgd", not ${JSON.stringify(optimizer)}.`);
  if (o.mode !== 'full') validateSpec(o.model, o.mode);
  need(isPositive(o.lr), 'lr', `The learning rate must be a finite number above 0, not ${o.lr}.`);
  need(isWhole(o.steps, 1, MAX_LM_STEPS), 'steps', `Steps must be a whole number from 1 to ${MAX_LM_STEPS}, not ${o.steps}.`);
  need(isWhole(o.batch, 1, MAX_LM_BATCH), 'batch', `The batch must be a whole number from 1 to ${MAX_LM_BATCH}, not ${o.batch}.`);
  need(isWhole(K, 1, MAX_LM_STEPS_PER_RUN), 'stepsPerRun', `Steps per run must be a whole number from 1 to ${MAX_LM_STEPS_PER_RUN}, not ${K}.`);
  need(isWhole(context, 2, o.model.config.maxPositions), 'text', `The context must be a whole number from 2 to ${o.model.config.maxPositions}, not ${context}.`);
  const ratio = o.loraplusRatio ?? 1;
  need(isPositive(ratio), 'loraplusRatio', `LoRA+'s ratio must be a finite number above 0, not ${o.loraplusRatio}.`);
  need(!!o.batches || o.tokens.length >= context + 2, 'text', `The training text must be longer than one window (${context + 1} characters).`);
}

/**
 * Random windows (batch, context) of `tokens` and their next tokens, from a seeded generator, as
 * PyTorch code draws them: `starts = torch.randint(len(tokens) - context, (batch,))`, then
 * x = tokens[s : s + context] and y = tokens[s + 1 : s + context + 1] for each start s.
 */
export function sampleBatch(tokens: ArrayLike<number>, batch: number, context: number, gen: TorchGenerator): Batch {
  const x = new Int32Array(batch * context);
  const y = new Int32Array(batch * context);
  const starts = gen.randint(tokens.length - context, batch);
  for (let b = 0; b < batch; b++) {
    const start = starts[b]!;
    for (let j = 0; j < context; j++) {
      x[b * context + j] = tokens[start + j]!;
      y[b * context + j] = tokens[start + j + 1]!;
    }
  }
  return { x, y, batch, context };
}

/**
 * A trainable tensor: its graph input name, shape and starting value; for an adapter, the module
 * path and which factor it is, so nothing is parsed back out of the name.
 */
interface Trainable {
  name: string;
  shape: number[];
  value: Weight;
  /** 'm' is DoRA's magnitude. */
  lora?: { path: string; factor: 'a' | 'b' | 'm' };
}

/** The trainable tensors in a fixed order: every weight (full), or A, B (and DoRA's m) of each adapted module. */
function trainables(model: LanguageModel, mode: LoraSpec | 'full', adapter?: Adapter): Trainable[] {
  if (mode === 'full') return weightNames(model.config).map((name) => ({ name, shape: weightShape(model.config, name), value: model.weights.get(name)! }));
  return adapter!.modules.flatMap((p) => {
    const n = adapterInputNames(p.path);
    const out: Trainable[] = [
      { name: n.a, shape: p.a.shape, value: p.a, lora: { path: p.path, factor: 'a' as const } },
      { name: n.b, shape: p.b.shape, value: p.b, lora: { path: p.path, factor: 'b' as const } },
    ];
    if (mode.useDora) {
      need(!!p.magnitude, 'adapter', `${p.path}: a DoRA adapter needs a magnitude (lora_magnitude_vector) for every module.`);
      out.push({ name: n.m, shape: p.magnitude!.shape, value: p.magnitude!, lora: { path: p.path, factor: 'm' as const } });
    }
    return out;
  });
}

/** The adapter's tensors on a tape, by module path. */
function adapterTensors(params: Trainable[], tensors: Tensor[]): Map<string, { a: Tensor; b: Tensor; m?: Tensor }> {
  const out = new Map<string, { a: Tensor; b: Tensor; m?: Tensor }>();
  params.forEach((p, i) => {
    const { path, factor } = p.lora!;
    out.set(path, { ...out.get(path)!, [factor]: tensors[i]! });
  });
  return out;
}

/** An Adapter with `values` (by input name) in place of `like`'s numbers. */
function adapterWith(like: Adapter, values: Map<string, Float32Array>): Adapter {
  return {
    spec: like.spec,
    modules: like.modules.map((q): LoraPair => {
      const n = adapterInputNames(q.path);
      const pair: LoraPair = { path: q.path, a: { shape: q.a.shape, data: values.get(n.a)! }, b: { shape: q.b.shape, data: values.get(n.b)! } };
      if (values.has(n.m)) pair.magnitude = { shape: [q.b.shape[0]!], data: values.get(n.m)! };
      return pair;
    }),
  };
}

/** The graph of K unrolled steps. */
function buildTrainGraph(model: LanguageModel, mode: LoraSpec | 'full', params: Trainable[], K: number, B: number, T: number, optimizer: Optimizer, loraplusRatio: number): GraphBuilder {
  const c = model.config;
  const g = new GraphBuilder('lm_train');
  const full = mode === 'full';
  const frozen = new Map<string, Tensor>();
  if (!full) for (const name of weightNames(c)) frozen.set(name, { name: g.input(name, weightShape(c, name)), shape: weightShape(c, name) });
  let current = params.map((p) => g.input(p.name, p.shape));
  let m = optimizer === 'adam' ? params.map((p) => g.input(`${p.name}.m`, p.shape)) : [];
  let v = optimizer === 'adam' ? params.map((p) => g.input(`${p.name}.v`, p.shape)) : [];
  const hp = g.input('hp', [HP.length(K, optimizer)]);
  const losses: string[] = [];
  for (let k = 0; k < K; k++) {
    const t = new Tape(g);
    const x = t.known(g.input(`x${k}`, [B * T, c.vocabSize]), [B * T, c.vocabSize]);
    const y = t.known(g.input(`y${k}`, [B * T, c.vocabSize]), [B * T, c.vocabSize]);
    const watched = params.map((p, i) => t.watch(current[i]!, p.shape));
    let weights: Map<string, Tensor>;
    let lora: Parameters<typeof buildForward>[6];
    if (full) weights = new Map(params.map((p, i) => [p.name, watched[i]!]));
    else {
      weights = frozen;
      lora = { tensors: adapterTensors(params, watched), spec: mode };
    }
    const { loss } = buildForward(t, c, { batch: B, context: T }, weights, x, y, lora);
    losses.push(g.reshape(loss!.name, [1]));
    const grads = t.grad(loss!, watched);
    // LoRA+: B (and every 1-D trainable, PEFT's groupB) steps with ratio × the learning rate;
    // Adam's update is linear in lr, so the ratio multiplies the step size lr/(1−β₁ᵗ) in the graph
    // (the hp layout stays the engine's one layout).
    const inGroupB = (p: Trainable): boolean => loraplusRatio !== 1 && (p.lora?.factor === 'b' || p.lora?.factor === 'm');
    if (optimizer === 'adam') {
      const stepSize = g.gather(hp, [HP.adam + 2 * k], 0);
      const stepSizeB = loraplusRatio !== 1 ? g.scale(stepSize, loraplusRatio) : stepSize;
      const bc2 = g.gather(hp, [HP.adam + 2 * k + 1], 0);
      const next = params.map((p, i) => adamStep(g, current[i]!, grads[i]!, { m: m[i]!, v: v[i]! }, inGroupB(p) ? stepSizeB : stepSize, bc2));
      current = next.map((n) => n.p);
      m = next.map((n) => n.state.m);
      v = next.map((n) => n.state.v);
    } else {
      const lr = g.gather(hp, [HP.lr], 0);
      const lrB = loraplusRatio !== 1 ? g.scale(lr, loraplusRatio) : lr;
      current = params.map((p, i) => sgdStep(g, current[i]!, grads[i]!, inGroupB(p) ? lrB : lr));
    }
  }
  params.forEach((p, i) => {
    g.output(current[i]!, `${p.name}.next`, p.shape);
    if (optimizer === 'adam') {
      g.output(m[i]!, `${p.name}.m.next`, p.shape);
      g.output(v[i]!, `${p.name}.v.next`, p.shape);
    }
  });
  g.output(K === 1 ? losses[0]! : g.concat(losses, 0), 'losses', [K]);
  return g;
}

/**
 * The loss of uniform predictions over V tokens, ln V: what all-zero (or all-equal) logits give.
 * A loss pinned there for BREAKDOWN_STEPS steps in a row is a model that broke down without a
 * NaN (a learning rate or α so large that the hidden states blow up, to 6.8e27 in PyTorch on
 * one such adapter, and the logits come out all zero: issue 15, item 3). The tolerance, 1e-4 relative, is ~10× the float32 rounding of a
 * mean over B·T rows of V terms (measured: 1.2e-5 at 8 × 64 × 84) and far below the step-to-step
 * change of any real run's loss (≥ 1e-2 between batches).
 */
export const BREAKDOWN_STEPS = 3;
export function breakdownOf(V: number): Breakdown {
  const lnV = Math.log(V);
  return {
    loss: lnV,
    tolerance: 1e-4 * lnV,
    steps: BREAKDOWN_STEPS,
    why: `the training loss stayed at ln ${V} = ${lnV.toFixed(4)}, the loss of a model that gives all ${V} characters the same probability (its logits are all equal, typically all zero), for ${BREAKDOWN_STEPS} steps in a row. The adapted model predicts nothing any more.`,
  };
}

export async function trainLanguageModel(engine: LanguageModelEngine, o: LmTrainOptions): Promise<LmTrainResult> {
  const c = o.model.config;
  const T = o.context ?? c.maxPositions;
  const K0 = o.stepsPerRun ?? LM_DEFAULTS.stepsPerRun;
  const optimizer = o.optimizer ?? 'adam';
  const seed = o.seed ?? 0;
  validate(o, T, K0, optimizer);
  throwIfAborted(o.signal);
  const rt = engine.rt;
  const full = o.mode === 'full';
  // One generator, as in PyTorch: torch.manual_seed(seed), get_peft_model's draws, then the batches.
  const gen = new TorchGenerator(seed);
  const adapter0 = full ? undefined : (o.adapter ?? drawPeftInit(c, o.mode as LoraSpec, gen, o.model.weights));
  const ratio = o.loraplusRatio ?? 1;
  const params = trainables(o.model, o.mode, adapter0);
  const trainableParameters = full ? parameterCount(c) : adapterParameterCount(c, o.mode as LoraSpec);

  // State: parameter values (and moments) as tensors, fed back run after run.
  const initial: Record<string, OrtTensor> = {};
  const feedBack: Array<[string, string]> = [];
  for (const p of params) {
    initial[p.name] = rt.tensorOf(new Float32Array(p.value.data), p.shape);
    feedBack.push([`${p.name}.next`, p.name]);
    if (optimizer === 'adam') {
      initial[`${p.name}.m`] = rt.tensorOf(new Float32Array(numel(p.shape)), p.shape);
      initial[`${p.name}.v`] = rt.tensorOf(new Float32Array(numel(p.shape)), p.shape);
      feedBack.push([`${p.name}.m.next`, `${p.name}.m`], [`${p.name}.v.next`, `${p.name}.v`]);
    }
  }
  const started = performance.now();
  let tokensPerSecond = 0;
  /** The trained parameters in `state` as an adapter (LoRA) or a model (full), read back to the CPU. */
  const read = async (state: Record<string, OrtTensor>): Promise<Trained> => {
    const values = new Map<string, Float32Array>();
    for (const p of params) values.set(p.name, new Float32Array(await rt.read(state[p.name]!)));
    if (full) return { model: { ...o.model, weights: new Map(params.map((p) => [p.name, { shape: p.shape, data: values.get(p.name)! }])) } };
    return { adapter: adapterWith(adapter0!, values) };
  };
  const { losses, state } = await trainLoop(rt, {
    optimizer, lr: o.lr, scaling: 0, steps: o.steps, runs: runsOf(o.steps, K0),
    session: (K) => {
      const key = `lm-train-${full ? 'full' : specKey(o.mode as LoraSpec)}-${optimizer}${ratio !== 1 ? `-lp${ratio}` : ''}-K${K}-${o.batch}x${T}`;
      return rt.session(key, () => buildTrainGraph(o.model, o.mode, params, K, o.batch, T, optimizer, ratio), { gpuOutputs: feedBack.map(([out]) => out) });
    },
    state: feedBack,
    fixed: full ? {} : Object.fromEntries(engine.weightFeeds(o.model)),
    initial,
    perRun: (K, done) => {
      const feeds: Record<string, OrtTensor> = {};
      for (let k = 0; k < K; k++) {
        const b = o.batches ? o.batches(done + k) : sampleBatch(o.tokens, o.batch, T, gen);
        feeds[`x${k}`] = rt.tensorOf(oneHot(b.x, c.vocabSize), [o.batch * T, c.vocabSize]);
        feeds[`y${k}`] = rt.tensorOf(oneHot(b.y!, c.vocabSize), [o.batch * T, c.vocabSize]);
      }
      return feeds;
    },
    breakdown: breakdownOf(c.vocabSize),
    onProgress: async ({ step, losses, state }) => {
      tokensPerSecond = (step * o.batch * T) / ((performance.now() - started) / 1000);
      await o.onProgress?.({ step, losses, tokensPerSecond, snapshot: () => read(state) });
    },
    signal: o.signal,
  });
  try {
    const seconds = (performance.now() - started) / 1000;
    return { losses, trainableParameters, trainingStateBytes: 16 * trainableParameters, tokensPerSecond, seconds, ...(await read(state)) };
  } finally {
    for (const t of Object.values(state)) rt.release(t);
  }
}

const numel = (s: number[]): number => s.reduce((n, d) => n * d, 1);

/** ∂L/∂A, ∂L/∂B (and DoRA's ∂L/∂m) of every adapted module (an Adapter-shaped result) and the loss, for one batch. */
export async function adapterGradients(engine: LanguageModelEngine, model: LanguageModel, batch: Batch, adapter: Adapter): Promise<{ loss: number; grad: Adapter }> {
  const c = model.config;
  const { batch: B, context: T } = batch;
  const rt = engine.rt;
  const params = trainables(model, adapter.spec, adapter);
  const session = await rt.session(`lm-grad-${specKey(adapter.spec)}-${B}x${T}`, () => {
    const g = new GraphBuilder('lm_adapter_gradients');
    const t = new Tape(g);
    const weights = new Map(weightNames(c).map((n) => [n, t.input(n, weightShape(c, n))]));
    const wrt = params.map((p) => t.input(p.name, p.shape, true));
    const tensors = adapterTensors(params, wrt);
    const x = t.input('x', [B * T, c.vocabSize]);
    const y = t.input('y', [B * T, c.vocabSize]);
    const { loss } = buildForward(t, c, { batch: B, context: T }, weights, x, y, { tensors, spec: adapter.spec });
    g.output(loss!.name, 'loss', []);
    t.grad(loss!, wrt).forEach((name, i) => g.output(name, `${params[i]!.name}.grad`, params[i]!.shape));
    return g;
  });
  const feeds: Record<string, OrtTensor> = { ...Object.fromEntries(engine.weightFeeds(model)), ...engine.adapterFeeds(adapter) };
  feeds.x = rt.tensorOf(oneHot(batch.x, c.vocabSize), [B * T, c.vocabSize]);
  feeds.y = rt.tensorOf(oneHot(batch.y!, c.vocabSize), [B * T, c.vocabSize]);
  const out = await rt.run(session, feeds);
  const values = new Map<string, Float32Array>();
  for (const p of params) values.set(p.name, new Float32Array(await rt.read(out[`${p.name}.grad`]!)));
  return { loss: (await rt.read(out.loss!))[0]!, grad: adapterWith(adapter, values) };
}
