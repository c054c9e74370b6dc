/**
 * The adapter as PEFT saves one: adapter_config.json and adapter_model.safetensors with keys
 * `base_model.model.<module path>.lora_A.weight` (r, in), `….lora_B.weight` (out, r) and, for DoRA,
 * `….lora_magnitude_vector` (out), so `PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(base), dir)`
 * loads it; and any PEFT LoRA adapter for this base read back into the engine's layout (through
 * demos/peft, which decodes float32/float16/bfloat16 and applies PEFT's pattern rules).
 */
import { writeSafetensors } from '../export/safetensors';
import { readPeftAdapter as readAnyPeftAdapter } from '../peft/index';
import { SettingError } from '../errors';
import { type Adapter, type LlamaConfig, type LoraPair, type LoraSpec, TARGET_MODULES, type TargetModule, modulePath, moduleShape } from './model';

export interface PeftAdapterConfig {
  peft_type: 'LORA';
  task_type: 'CAUSAL_LM';
  base_model_name_or_path: string;
  r: number;
  lora_alpha: number;
  target_modules: TargetModule[];
  use_rslora: boolean;
  lora_dropout: number;
  bias: 'none';
  fan_in_fan_out: boolean;
  inference_mode: boolean;
  /** `true` (kaiming-uniform A), "gaussian" or "pissa", as PEFT writes LoraConfig.init_lora_weights. */
  init_lora_weights: boolean | 'gaussian' | 'pissa';
  rank_pattern: Record<string, number>;
  alpha_pattern: Record<string, number>;
  use_dora: boolean;
}

export function peftAdapterConfig(spec: LoraSpec, baseModel: string): PeftAdapterConfig {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: spec.rank,
    lora_alpha: spec.alpha,
    target_modules: [...spec.targets],
    use_rslora: spec.useRslora,
    lora_dropout: 0,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: spec.init === 'gaussian' || spec.init === 'pissa' ? spec.init : true,
    rank_pattern: { ...spec.rankPattern },
    alpha_pattern: { ...spec.alphaPattern },
    use_dora: spec.useDora === true,
  };
}

export function peftAdapterSafetensors(adapter: Adapter): Uint8Array {
  return writeSafetensors(
    adapter.modules.flatMap((m) => [
      { name: `base_model.model.${m.path}.lora_A.weight`, shape: m.a.shape, data: m.a.data },
      { name: `base_model.model.${m.path}.lora_B.weight`, shape: m.b.shape, data: m.b.data },
      ...(m.magnitude ? [{ name: `base_model.model.${m.path}.lora_magnitude_vector`, shape: m.magnitude.shape, data: m.magnitude.data }] : []),
    ]),
    { format: 'pt' },
  );
}

/** Both files of the adapter, as `{ name: bytes or text }`. */
export function peftAdapterFiles(adapter: Adapter, baseModel: string): { 'adapter_config.json': string; 'adapter_model.safetensors': Uint8Array } {
  return {
    'adapter_config.json': JSON.stringify(peftAdapterConfig(adapter.spec, baseModel), null, 2) + '\n',
    'adapter_model.safetensors': peftAdapterSafetensors(adapter),
  };
}

const MODULE_PATH = /^model\.layers\.(\d+)\.(self_attn|mlp)\.([a-z_]+)$/;

/** init_lora_weights values whose adapters load on an unchanged base (or, for "pissa", on one the engine can rebuild). */
function initOf(v: unknown): LoraSpec['init'] {
  if (v === true || v === false || v === 'gaussian' || v === 'eva' || v === 'default') return v === 'gaussian' ? 'gaussian' : 'default';
  if (v === 'pissa') return 'pissa';
  throw new SettingError(
    'adapter',
    `adapter_config.json: init_lora_weights ${JSON.stringify(v)} changes the base weights when PEFT loads the adapter, in a way this engine does not reproduce (it reads true, false, "gaussian", "eva" and "pissa").`,
  );
}

/**
 * Read a PEFT LoRA adapter folder's two files for this engine's LLaMA (the chapter-8 base when
 * `config` is given: shapes and layers checked against it). Every file dtype demos/peft decodes
 * (F32, F16, BF16, F64) is read to float32; DoRA magnitudes, rsLoRA and rank/alpha patterns
 * carry over into the spec. Anything the engine cannot apply exactly (LoRA on the embedding or
 * head, modules_to_save, biases, only some layers adapted, a base-changing initialisation) is an
 * SettingError('adapter') that says what.
 */
export function readPeftAdapter(configJson: string, safetensors: Uint8Array, config?: LlamaConfig): Adapter {
  let read;
  try {
    read = readAnyPeftAdapter(configJson, safetensors);
  } catch (e) {
    throw new SettingError('adapter', (e as Error).message);
  }
  const cfg = read.config;
  if (read.skipped.length) {
    const s = read.skipped[0]!;
    throw new SettingError('adapter', `The adapter has ${read.skipped.length} tensor(s) this engine cannot apply, so its logits would not be PEFT's; first: ${s.name} (${s.reason})`);
  }
  if (cfg.fanInFanOut) throw new SettingError('adapter', 'adapter_config.json sets fan_in_fan_out: that is for GPT-2-style Conv1D layers, not this LLaMA.');
  const init = initOf(cfg.initLoraWeights);
  const byKind = new Map<TargetModule, Set<number>>();
  const modules: LoraPair[] = [];
  for (const m of read.modules) {
    const match = MODULE_PATH.exec(m.name);
    const kind = match?.[3] as TargetModule | undefined;
    if (!match || !kind || !(TARGET_MODULES as readonly string[]).includes(kind) || modulePath(Number(match[1]), kind) !== m.name) {
      throw new SettingError('adapter', `The adapter adapts ${m.name}; this engine adapts only the seven projections (${TARGET_MODULES.join(', ')}) of model.layers.N.`);
    }
    const layer = Number(match[1]);
    if (config) {
      if (layer >= config.numLayers) throw new SettingError('adapter', `The adapter adapts ${m.name}, but the model has ${config.numLayers} layers.`);
      const [out, inp] = moduleShape(config, kind);
      if (m.shape[0] !== out || m.shape[1] !== inp) {
        throw new SettingError('adapter', `${m.name}: the adapter's update is ${m.shape[0]} × ${m.shape[1]}, but this model's ${kind} is ${out} × ${inp}: the adapter is for another base model.`);
      }
    }
    if (!byKind.has(kind)) byKind.set(kind, new Set());
    byKind.get(kind)!.add(layer);
    const pair: LoraPair = { path: m.name, a: { shape: [m.rank, m.shape[1]], data: m.a() }, b: { shape: [m.shape[0], m.rank], data: m.b() } };
    if (m.magnitude) pair.magnitude = { shape: [m.shape[0]], data: m.magnitude() };
    modules.push(pair);
  }
  if (!modules.length) throw new SettingError('adapter', 'adapter_model.safetensors holds no lora_A/lora_B pairs.');
  const layers = config?.numLayers ?? Math.max(...[...byKind.values()].flatMap((s) => [...s])) + 1;
  for (const [kind, set] of byKind) {
    if (set.size !== layers) {
      throw new SettingError('adapter', `The adapter adapts ${kind} in layers ${[...set].sort((x, y) => x - y).join(', ')} only; this engine applies a module kind in every layer (layers_to_transform is not supported).`);
    }
  }
  const targets = TARGET_MODULES.filter((t) => byKind.has(t));
  const spec: LoraSpec = { targets, rank: cfg.r, alpha: cfg.loraAlpha, useRslora: cfg.useRslora, init };
  if (cfg.rankPattern.length) spec.rankPattern = Object.fromEntries(cfg.rankPattern);
  if (cfg.alphaPattern.length) spec.alphaPattern = Object.fromEntries(cfg.alphaPattern);
  if (cfg.useDora) spec.useDora = true;
  const layer = (p: string): number => Number(MODULE_PATH.exec(p)![1]);
  const kind = (p: string): number => targets.indexOf(MODULE_PATH.exec(p)![3] as TargetModule);
  modules.sort((x, y) => layer(x.path) - layer(y.path) || kind(x.path) - kind(y.path));
  return { spec, modules };
}
