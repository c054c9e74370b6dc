/**
 * The chapter-8 language model as data: its LlamaConfig, its float32 weights under
 * transformers' names, its character vocabulary; and the LoRA adapter that trains on it.
 * Pure (bytes in, objects out), so Node and the browser load it the same way.
 */
import { readSafetensors } from '../export/safetensors';
import { patternKey } from '../peft/config';
import { TorchGenerator } from '../random';
import { scalingFor } from '../scaling';
import { SettingError } from '../errors';

/** The LlamaConfig fields the engine uses (transformers' names in the JSON). */
export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  maxPositions: number;
  rmsNormEps: number;
  ropeTheta: number;
}

/** A float32 tensor, row-major. */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

export interface LanguageModel {
  config: LlamaConfig;
  /** index = token id */
  vocab: string[];
  /** transformers' state-dict names → weights (`model.layers.0.self_attn.q_proj.weight`, …). */
  weights: Map<string, Weight>;
}

/** The modules LoRA can adapt, as PEFT's `target_modules` names them. */
export const TARGET_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type TargetModule = (typeof TARGET_MODULES)[number];

export const isAttention = (m: TargetModule): boolean => m === 'q_proj' || m === 'k_proj' || m === 'v_proj' || m === 'o_proj';

/** `model.layers.{i}.self_attn.q_proj` / `model.layers.{i}.mlp.up_proj`: the module's path in LlamaForCausalLM. */
export function modulePath(layer: number, m: TargetModule): string {
  return `model.layers.${layer}.${isAttention(m) ? 'self_attn' : 'mlp'}.${m}`;
}

/** (out, in) of a module's weight. */
export function moduleShape(c: LlamaConfig, m: TargetModule): [number, number] {
  if (m === 'gate_proj' || m === 'up_proj') return [c.intermediateSize, c.hiddenSize];
  if (m === 'down_proj') return [c.hiddenSize, c.intermediateSize];
  return [c.hiddenSize, c.hiddenSize];
}

/** PEFT's `init_lora_weights`: `true` ('default': kaiming-uniform A, B = 0), 'gaussian' (A ~ N(0, 1/r²), B = 0), 'pissa'. */
export type LoraInit = 'default' | 'gaussian' | 'pissa';
export const LORA_INITS: readonly LoraInit[] = ['default', 'gaussian', 'pissa'];

/**
 * One LoRA configuration, as PEFT's LoraConfig spells it: every field maps to an
 * adapter_config.json key (targets → target_modules, rank → r, alpha → lora_alpha, useRslora →
 * use_rslora, rankPattern → rank_pattern, alphaPattern → alpha_pattern, useDora → use_dora,
 * init → init_lora_weights). Training-only knobs (LoRA+'s ratio, a quantised base) are not here:
 * they do not change what is saved (see variants/prepare.ts, `LoraVariant`).
 */
export interface LoraSpec {
  targets: TargetModule[];
  rank: number;
  alpha: number;
  /** s = α/√r (rsLoRA) instead of α/r. */
  useRslora: boolean;
  /** Per-module r: key (a regex matched as a suffix of the module path, PEFT's `get_pattern_key`) → r. */
  rankPattern?: Readonly<Record<string, number>>;
  /** Per-module α, matched the same way. */
  alphaPattern?: Readonly<Record<string, number>>;
  /** DoRA: a trained magnitude per output row (PEFT's `use_dora`). */
  useDora?: boolean;
  /** How A and B start (PEFT's `init_lora_weights`); default 'default'. */
  init?: LoraInit;
}

/** r of the module at `path`: rank_pattern's matching entry (PEFT's `get_pattern_key`: the first key whose regex matches a dotted suffix of the path), else r. */
export function moduleRank(spec: LoraSpec, path: string): number {
  const key = spec.rankPattern ? patternKey(Object.keys(spec.rankPattern), path) : null;
  return key === null ? spec.rank : spec.rankPattern![key]!;
}

/** α of the module at `path`: alpha_pattern's matching entry, else lora_alpha. */
export function moduleAlpha(spec: LoraSpec, path: string): number {
  const key = spec.alphaPattern ? patternKey(Object.keys(spec.alphaPattern), path) : null;
  return key === null ? spec.alpha : spec.alphaPattern![key]!;
}

/** s of the module at `path`: α/r, or α/√r with rsLoRA (PEFT's `update_layer`), each with the module's own r and α. */
export function moduleScaling(spec: LoraSpec, path: string): number {
  const r = moduleRank(spec, path);
  const a = moduleAlpha(spec, path);
  return scalingFor(spec.useRslora ? 'alpha/sqrt(r)' : 'alpha/r', a, r);
}

/** The spec-wide s (the scale of every module when there are no patterns): the engine's one scaling function, with PEFT's `use_rslora` as the rule. */
export const loraScaling = (s: LoraSpec): number => scalingFor(s.useRslora ? 'alpha/sqrt(r)' : 'alpha/r', s.alpha, s.rank);

/** One adapted module: ΔW = s·B·A with A (r, in), B (out, r). */
export interface LoraPair {
  path: string;
  a: Weight;
  b: Weight;
  /** DoRA's magnitude m (out): one entry per output row (PEFT's `lora_magnitude_vector`). */
  magnitude?: Weight;
}

export interface Adapter {
  spec: LoraSpec;
  /** In layer order, then in the order of `spec.targets`. */
  modules: LoraPair[];
}

function num(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SettingError('model', `config.json: "${key}" must be a number, not ${JSON.stringify(v)}.`);
  return v;
}

/** Parse config.json, model.safetensors and vocab.json as transformers wrote them. */
/** The architecture of a transformers `config.json` (LLaMA, no grouped-query attention, SiLU). */
export function parseConfig(configJson: string): LlamaConfig {
  const raw = JSON.parse(configJson) as Record<string, unknown>;
  const rope = (raw.rope_parameters ?? {}) as Record<string, unknown>;
  const config: LlamaConfig = {
    vocabSize: num(raw, 'vocab_size'),
    hiddenSize: num(raw, 'hidden_size'),
    intermediateSize: num(raw, 'intermediate_size'),
    numLayers: num(raw, 'num_hidden_layers'),
    numHeads: num(raw, 'num_attention_heads'),
    maxPositions: num(raw, 'max_position_embeddings'),
    rmsNormEps: num(raw, 'rms_norm_eps'),
    ropeTheta: typeof rope.rope_theta === 'number' ? rope.rope_theta : num(raw, 'rope_theta'),
  };
  if ((raw.num_key_value_heads ?? config.numHeads) !== config.numHeads) {
    throw new SettingError('model', 'Grouped-query attention (num_key_value_heads ≠ num_attention_heads) is not supported.');
  }
  if (raw.hidden_act !== 'silu') throw new SettingError('model', `hidden_act must be "silu", not ${JSON.stringify(raw.hidden_act)}.`);
  return config;
}

export function parseModel(configJson: string, safetensors: Uint8Array, vocabJson: string): LanguageModel {
  const config = parseConfig(configJson);
  const raw = JSON.parse(configJson) as Record<string, unknown>;
  const vocab = JSON.parse(vocabJson) as unknown;
  if (!Array.isArray(vocab) || vocab.length !== config.vocabSize || !vocab.every((c) => typeof c === 'string')) {
    throw new SettingError('model', `vocab.json must be an array of ${config.vocabSize} strings.`);
  }
  const weights = new Map<string, Weight>();
  for (const t of readSafetensors(safetensors).tensors) weights.set(t.name, { shape: t.shape, data: t.data });
  if (raw.tie_word_embeddings === true && !weights.has('lm_head.weight')) weights.set('lm_head.weight', weights.get('model.embed_tokens.weight')!);
  for (const name of weightNames(config)) if (!weights.has(name)) throw new SettingError('model', `model.safetensors has no tensor "${name}".`);
  return { config, vocab: vocab as string[], weights };
}

/** Every weight of the model, in state-dict order. */
export function weightNames(c: LlamaConfig): string[] {
  const names = ['model.embed_tokens.weight'];
  for (let i = 0; i < c.numLayers; i++) {
    names.push(`model.layers.${i}.input_layernorm.weight`, `model.layers.${i}.post_attention_layernorm.weight`);
    for (const m of TARGET_MODULES) names.push(`${modulePath(i, m)}.weight`);
  }
  names.push('model.norm.weight', 'lm_head.weight');
  return names;
}

export const parameterCount = (c: LlamaConfig): number =>
  2 * c.vocabSize * c.hiddenSize + c.hiddenSize + c.numLayers * (2 * c.hiddenSize + TARGET_MODULES.reduce((n, m) => n + moduleShape(c, m)[0] * moduleShape(c, m)[1], 0));

/** Trainable parameters of an adapter: r·(in + out) per adapted module (its own r), plus out for DoRA's magnitude. */
export function adapterParameterCount(c: LlamaConfig, spec: LoraSpec): number {
  let n = 0;
  for (let i = 0; i < c.numLayers; i++) {
    for (const m of spec.targets) {
      const [out, inp] = moduleShape(c, m);
      n += moduleRank(spec, modulePath(i, m)) * (out + inp) + (spec.useDora ? out : 0);
    }
  }
  return n;
}

/**
* The bound of `nn.init.kaiming_uniform_(w, a=√5)` for fan_in inputs, computed as torch/nn/init.py
 * does (gain = √(2/(1 + a²)), std = gain/√fan_in, bound = √3·std): 1/√fan_in up to the last bit.
 */
export function kaimingBound(fanIn: number): number {
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a ** 2));
  const std = gain / Math.sqrt(fanIn);
  return Math.sqrt(3) * std;
}

/**
 * A fresh adapter as PEFT initialises one, drawn from `gen` in the order PyTorch draws it after
 * `torch.manual_seed(seed)`: `get_peft_model` walks LlamaForCausalLM's `named_modules()` (layer
 * by layer; in each, q, k, v, o of self_attn, then gate, up, down of mlp; only targeted ones),
 * and for each module `update_layer` (peft/tuners/lora/layer.py) builds
 * `nn.Linear(in, r, bias=False)` (its constructor draws r·in kaiming uniforms) and
 * `nn.Linear(r, out, bias=False)` (out·r more, with bound 1/√r), then `reset_lora_parameters`
 * draws A again and zeroes B:
 *  - 'default': `kaiming_uniform_(A, a=√5)`, so A ~ U(−1/√in, 1/√in);
 *  - 'gaussian': `normal_(A, std=1/r)` (the std is 1/r, not 1/√r).
 * B = 0 either way, so the adapted model starts equal to the base model, and the generator has
 * moved on by r·(2·in + out) draws per module, ready for the batches. r is each module's own
 * (rank_pattern). DoRA's magnitude, ‖W + s·B·A‖ per row, needs the base weights (`weights`);
 * PiSSA starts from an SVD of them: see variants/prepare.ts `prepareVariant`.
 * The modules come back in layer order, then in the order of `spec.targets`.
 */
export function drawPeftInit(c: LlamaConfig, spec: LoraSpec, gen: TorchGenerator, weights?: Map<string, Weight>): Adapter {
  if (spec.init === 'pissa') throw new SettingError('init', 'PiSSA starts from the base weights: use prepareVariant (demos/lm/variants/prepare.ts).');
  if (spec.useDora && !weights) throw new SettingError('init', "DoRA's magnitude starts as the base weight's row norms: pass the model's weights to initAdapter.");
  const drawn = new Map<string, LoraPair>();
  for (let i = 0; i < c.numLayers; i++) {
    for (const m of TARGET_MODULES) {
      if (!spec.targets.includes(m)) continue;
      const path = modulePath(i, m);
      const [out, inp] = moduleShape(c, m);
      const r = moduleRank(spec, path);
      const bA = kaimingBound(inp);
      gen.uniform(-bA, bA, r * inp); // nn.Linear(in, r)'s own init, overwritten below
      const bB = kaimingBound(r);
      gen.uniform(-bB, bB, out * r); // nn.Linear(r, out)'s own init, zeroed below
      let a: Float32Array;
      if (spec.init === 'gaussian') {
        a = gen.randn(r * inp); // normal_(A, std = 1/r)
        const std = Math.fround(1 / r);
        for (let j = 0; j < a.length; j++) a[j] = a[j]! * std;
      } else a = gen.uniform(-bA, bA, r * inp); // kaiming_uniform_(A, a=√5)
      const pair: LoraPair = { path, a: { shape: [r, inp], data: a }, b: { shape: [out, r], data: new Float32Array(out * r) } };
      if (spec.useDora) pair.magnitude = doraMagnitude(weights!.get(`${path}.weight`)!, pair, moduleScaling(spec, path));
      drawn.set(path, pair);
    }
  }
  const modules: LoraPair[] = [];
  for (let i = 0; i < c.numLayers; i++) for (const m of spec.targets) modules.push(drawn.get(modulePath(i, m))!);
  return { spec: copySpec(spec), modules };
}

/**
 * A fresh adapter as `torch.manual_seed(seed)` then `get_peft_model(base, LoraConfig(...))`
 * initialises one: `drawPeftInit` from a new generator seeded with `seed`.
 */
export function initAdapter(c: LlamaConfig, spec: LoraSpec, seed: number, weights?: Map<string, Weight>): Adapter {
  return drawPeftInit(c, spec, new TorchGenerator(seed), weights);
}

/** A deep copy of a spec (patterns included), so an adapter never shares a caller's object. */
export function copySpec(spec: LoraSpec): LoraSpec {
  const s: LoraSpec = { ...spec, targets: [...spec.targets] };
  if (spec.rankPattern) s.rankPattern = { ...spec.rankPattern };
  if (spec.alphaPattern) s.alphaPattern = { ...spec.alphaPattern };
  return s;
}

/**
 * DoRA's initial magnitude, PEFT's `DoraLinearLayer.update_layer`: m_i = ‖W_i + s·(B·A)_i‖₂, the
 * norm of each OUTPUT row of the (out, in) weight (`torch.linalg.norm(W + s·BA, dim=1)`),
 * accumulated in float64 and rounded to float32.
 */
export function doraMagnitude(w: Weight, pair: Pick<LoraPair, 'a' | 'b'>, s: number): Weight {
  const [out, inp] = w.shape as [number, number];
  const r = pair.a.shape[0]!;
  const m = new Float32Array(out);
  for (let i = 0; i < out; i++) {
    let sq = 0;
    for (let j = 0; j < inp; j++) {
      let ba = 0;
      for (let k = 0; k < r; k++) ba += pair.b.data[i * r + k]! * pair.a.data[k * inp + j]!;
      const v = w.data[i * inp + j]! + s * Math.fround(ba);
      sq += v * v;
    }
    m[i] = Math.sqrt(sq);
  }
  return { shape: [out], data: m };
}

/** Token ids of `text`; a character outside the vocabulary is a SettingError that names it. */
export function encode(model: LanguageModel, text: string): number[] {
  const index = new Map(model.vocab.map((ch, i) => [ch, i]));
  const ids: number[] = [];
  const unknown = new Set<string>();
  for (const ch of text) {
    const id = index.get(ch);
    if (id === undefined) unknown.add(ch);
    else ids.push(id);
  }
  if (unknown.size) {
    const list = [...unknown].map((ch) => JSON.stringify(ch)).join(', ');
    throw new SettingError('prompt', `The text has ${unknown.size === 1 ? 'a character' : 'characters'} the model has never seen: ${list}. The vocabulary is ${model.vocab.length} characters (plain ASCII letters, digits and punctuation).`, 'vocabulary');
  }
  return ids;
}

export const decode = (model: LanguageModel, ids: ArrayLike<number>): string => Array.from(ids, (i) => model.vocab[i] ?? '').join('');
