/**
 * The chapter-8 language model as data: its LlamaConfig, its float32 weights under
 * transformers' names, its character vocabulary; and the LoRA adapter that trains on it.
 * Pure (bytes in, objects out), so Node and the browser load it the same way.
 */
import { readSafetensors } from '../export/safetensors';
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

export interface LoraSpec {
  targets: TargetModule[];
  rank: number;
  alpha: number;
  /** s = α/√r (rsLoRA) instead of α/r. */
  useRslora: boolean;
}

/** s of a spec: the engine's one scaling function, with PEFT's `use_rslora` as the rule. */
export const loraScaling = (s: LoraSpec): number => scalingFor(s.useRslora ? 'alpha/sqrt(r)' : 'alpha/r', s.alpha, s.rank);

/** One adapted module: ΔW = s·B·A with A (r, in), B (out, r). */
export interface LoraPair {
  path: string;
  a: Weight;
  b: Weight;
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

/** Trainable parameters of an adapter: r·(in + out) per adapted module. */
export function adapterParameterCount(c: LlamaConfig, spec: LoraSpec): number {
  return c.numLayers * spec.targets.reduce((n, m) => n + spec.rank * (moduleShape(c, m)[0] + moduleShape(c, m)[1]), 0);
}

/**
 * A fresh adapter as PEFT initialises one: A ~ U(−1/√in, 1/√in) (kaiming_uniform with a = √5),
 * B = 0, so the adapted model starts equal to the base model. Drawn from a seeded TorchGenerator
 * (the values are not PyTorch's: nn.init's draw order is not reproduced).
 */
export function initAdapter(c: LlamaConfig, spec: LoraSpec, seed: number): Adapter {
  const gen = new TorchGenerator(seed);
  const modules: LoraPair[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    for (const m of spec.targets) {
      const [out, inp] = moduleShape(c, m);
      const u = gen.rand(spec.rank * inp);
      const bound = 1 / Math.sqrt(inp);
      const a = new Float32Array(u.length);
      for (let j = 0; j < u.length; j++) a[j] = (2 * u[j]! - 1) * bound;
      modules.push({ path: modulePath(i, m), a: { shape: [spec.rank, inp], data: a }, b: { shape: [out, spec.rank], data: new Float32Array(out * spec.rank) } });
    }
  }
  return { spec: { ...spec, targets: [...spec.targets] }, modules };
}

/** Token ids of `text`; a character outside the vocabulary is an SettingError that names it. */
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
