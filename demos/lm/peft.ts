/**
 * The adapter as PEFT saves one: adapter_config.json and adapter_model.safetensors with keys
 * `base_model.model.<module path>.lora_A.weight` (r, in) and `….lora_B.weight` (out, r), so
 * `PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(base), dir)` loads it.
 */
import { readSafetensors, writeSafetensors } from '../export/safetensors';
import { SettingError } from '../errors';
import type { Adapter, LoraSpec, TargetModule } from './model';

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
  init_lora_weights: boolean;
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
    init_lora_weights: true,
  };
}

export function peftAdapterSafetensors(adapter: Adapter): Uint8Array {
  return writeSafetensors(
    adapter.modules.flatMap((m) => [
      { name: `base_model.model.${m.path}.lora_A.weight`, shape: m.a.shape, data: m.a.data },
      { name: `base_model.model.${m.path}.lora_B.weight`, shape: m.b.shape, data: m.b.data },
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

/** Read an adapter PEFT saved (or this module wrote) back into the engine's layout. */
export function readPeftAdapter(configJson: string, safetensors: Uint8Array): Adapter {
  const cfg = JSON.parse(configJson) as Partial<PeftAdapterConfig>;
  if (cfg.peft_type !== 'LORA') throw new SettingError('model', `adapter_config.json: peft_type must be "LORA", not ${JSON.stringify(cfg.peft_type)}.`);
  const spec: LoraSpec = { targets: cfg.target_modules ?? [], rank: cfg.r ?? 8, alpha: cfg.lora_alpha ?? 8, useRslora: cfg.use_rslora ?? false };
  const byName = new Map(readSafetensors(safetensors).tensors.map((t) => [t.name, t]));
  const modules = [];
  for (const [name, a] of byName) {
    const m = /^base_model\.model\.(.+)\.lora_A(?:\.default)?\.weight$/.exec(name);
    if (!m) continue;
    const b = byName.get(name.replace('.lora_A', '.lora_B'));
    if (!b) throw new SettingError('model', `adapter_model.safetensors has ${name} but no lora_B beside it.`);
    modules.push({ path: m[1]!, a: { shape: a.shape, data: a.data }, b: { shape: b.shape, data: b.data } });
  }
  const layer = (p: string): number => Number(/layers\.(\d+)\./.exec(p)?.[1] ?? 0);
  const kind = (p: string): number => spec.targets.findIndex((t) => p.endsWith(`.${t}`));
  modules.sort((x, y) => layer(x.path) - layer(y.path) || kind(x.path) - kind(y.path));
  return { spec, modules };
}
