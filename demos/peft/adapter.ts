/**
 * A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) as a list of
 * adapted modules, for any base model: LLaMA/Mistral/Qwen shapes with grouped-query attention,
 * GPT-2's Conv1D (`fan_in_fan_out`), float32/float16/bfloat16 files, DoRA, rsLoRA, rank and alpha
 * patterns. Tensors are decoded when asked for, one module at a time, so an 80 MB adapter is
 * never held twice.
 *
 * Keys as PEFT 0.21 saves them (utils/save_and_load.py, checked by writing adapters with it):
 *   base_model.model.<path>.lora_A.weight          [r, in]
 *   base_model.model.<path>.lora_B.weight          [out, r]
 *   base_model.model.<path>.lora_magnitude_vector  [out]      (DoRA)
 * Anything else in the file (embedding LoRA `lora_embedding_A/B`, `modules_to_save` copies,
 * LoRA biases, convolution LoRA, dtypes that are not floats) is listed in `skipped` by name.
 */
import { SettingError } from '../errors';
import { decodeTensor, safetensorsIndex, type TensorEntry } from '../export/safetensors';
import { moduleHyper, parseAdapterConfig, type PeftLoraConfig } from './config';

/** One adapted linear module: ΔW = scaling · B · A, shape [out, in]. */
export interface PeftModule {
  /** The module path without PEFT's `base_model.model.` prefix, e.g. `model.layers.0.self_attn.q_proj`. */
  name: string;
  /** [out, in] of the adapted weight (and of ΔW). */
  shape: [number, number];
  rank: number;
  alpha: number;
  scaling: number;
  /** As stored: 'F32', 'F16', 'BF16', 'F64', or 'BF16/F32' when A and B differ. */
  dtype: string;
  /** A, [rank, in], row-major float32 (decoded on each call). */
  a(): Float32Array;
  /** B, [out, rank]. */
  b(): Float32Array;
  /** DoRA's magnitude m, one per output row; absent for plain LoRA. */
  magnitude?: () => Float32Array;
}

export interface SkippedTensor {
  /** The tensor's key without `base_model.model.`. */
  name: string;
  reason: string;
}

export interface PeftAdapter {
  config: PeftLoraConfig;
  /** In the file's order of their A tensors. */
  modules: PeftModule[];
  skipped: SkippedTensor[];
  /** Bytes of tensor data the modules hold (as stored). */
  bytes: number;
}

const PREFIX = 'base_model.model.';
const LORA_KEY = /^(.*)\.(lora_A|lora_B)(?:\.[^.]+)?\.weight$/;
const MAGNITUDE_KEY = /^(.*)\.lora_magnitude_vector(?:\.[^.]+)?(?:\.weight)?$/;

const bad = (message: string): never => {
  throw new SettingError('adapter', message);
};

function skipReason(key: string, cfg: PeftLoraConfig): string {
  if (/\.lora_embedding_[AB]/.test(key)) return 'LoRA on an embedding layer is not read: only linear layers are.';
  if (/\.lora_B(\.[^.]+)?\.bias$/.test(key)) return 'LoRA bias (lora_bias=true) is not read.';
  if (/\.(modules_to_save|original_module)\./.test(key) || cfg.modulesToSave.some((m) => key === `${m}.weight` || key.startsWith(`${m}.`) || key.includes(`.${m}.`))) {
    return 'a full trained copy of a layer (modules_to_save), not a low-rank update.';
  }
  if (/\.base_layer\./.test(key)) return 'a base-layer weight saved with the adapter (trainable tokens or a tied layer), not a low-rank update.';
  return 'not a LoRA tensor this reader knows.';
}

/**
 * Read an adapter folder's two files. `weights` may be a view into a larger buffer; nothing is
 * copied until a module's a()/b() is called.
 */
export function readPeftAdapter(configText: string, weights: Uint8Array): PeftAdapter {
  const config = parseAdapterConfig(configText);
  let index;
  try {
    index = safetensorsIndex(weights);
  } catch (e) {
    return bad(`adapter_model.safetensors: ${(e as Error).message}`);
  }
  const skipped: SkippedTensor[] = [];
  for (const [name, dtype] of index.unsupported) skipped.push({ name: name.replace(PREFIX, ''), reason: `dtype ${dtype} is not a float type this reader decodes.` });
  const parts = new Map<string, { a?: TensorEntry; b?: TensorEntry; m?: TensorEntry }>();
  const order: string[] = [];
  for (const e of index.entries) {
    const key = e.name.startsWith(PREFIX) ? e.name.slice(PREFIX.length) : e.name;
    const lora = LORA_KEY.exec(key);
    const mag = lora ? null : MAGNITUDE_KEY.exec(key);
    const path = lora?.[1] ?? mag?.[1];
    if (path === undefined) {
      skipped.push({ name: key, reason: skipReason(key, config) });
      continue;
    }
    if (!parts.has(path)) {
      parts.set(path, {});
      order.push(path);
    }
    const p = parts.get(path)!;
    if (lora) p[lora[2] === 'lora_A' ? 'a' : 'b'] = e;
    else p.m = e;
  }
  const modules: PeftModule[] = [];
  let bytes = 0;
  for (const name of order) {
    const { a, b, m } = parts.get(name)!;
    if (!a || !b) {
      skipped.push({ name, reason: `has ${a ? 'lora_A' : 'lora_B'} but no ${a ? 'lora_B' : 'lora_A'}.` });
      continue;
    }
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      skipped.push({ name, reason: `LoRA on a ${a.shape.length}-dimensional weight (a convolution?) is not read: only linear layers are.` });
      continue;
    }
    const [r, inF] = a.shape as [number, number];
    const [outF, rb] = b.shape as [number, number];
    if (rb !== r) bad(`${name}: lora_A is [${a.shape.join(', ')}] and lora_B is [${b.shape.join(', ')}]; B needs as many columns as A has rows.`);
    const hyper = moduleHyper(config, name);
    if (hyper.rank !== r) {
      bad(`${name}: adapter_config.json gives it rank ${hyper.rank}${config.rankPattern.length ? ' (after rank_pattern)' : ''}, but its lora_A has ${r} rows.`);
    }
    if (m && (m.shape.length !== 1 || m.shape[0] !== outF)) bad(`${name}: lora_magnitude_vector is [${m.shape.join(', ')}]; DoRA keeps one magnitude per output row (${outF}).`);
    if (m && !config.useDora) bad(`${name}: the file has a DoRA magnitude vector but adapter_config.json does not set "use_dora": true.`);
    bytes += a.end - a.begin + (b.end - b.begin) + (m ? m.end - m.begin : 0);
    modules.push({
      name,
      shape: [outF, inF],
      rank: r,
      alpha: hyper.alpha,
      scaling: hyper.scaling,
      dtype: a.dtype === b.dtype ? a.dtype : `${a.dtype}/${b.dtype}`,
      a: () => decodeTensor(weights, a),
      b: () => decodeTensor(weights, b),
      ...(m ? { magnitude: () => decodeTensor(weights, m) } : {}),
    });
  }
  if (config.useDora) {
    const missing = modules.filter((x) => !x.magnitude).map((x) => x.name);
    if (missing.length) bad(`adapter_config.json sets "use_dora": true but ${missing.length} module(s) have no lora_magnitude_vector (first: ${missing[0]}).`);
  }
  return { config, modules, skipped, bytes };
}
