/**
 * A PEFT `adapter_config.json`, read as PEFT 0.21 reads it (peft/tuners/lora/config.py,
 * tuners/lora/model.py `_create_and_replace`, utils/other.py `get_pattern_key`).
 *
 * What decides a module's numbers:
 *   r(module)     = rank_pattern[first key matching the module] ?? r
 *   α(module)     = alpha_pattern[first key matching the module] ?? lora_alpha
 *   scaling       = α / r, or α / √r with use_rslora (tuners/lora/layer.py `update_layer`)
 * A pattern key matches a module path when `re.match(rf"(.*\.)?({key})$", path)` does: the key
 * is a regular expression that must match a whole trailing run of dotted components.
 */
import { SettingError } from '../errors';
import { scalingFor } from '../scaling';

export interface PeftLoraConfig {
  peftType: 'LORA';
  r: number;
  loraAlpha: number;
  useRslora: boolean;
  useDora: boolean;
  /** GPT-2's Conv1D stores its weight as [in, out]; A and B are still [r, in] and [out, r]. */
  fanInFanOut: boolean;
  /** In the file's order: the first key that matches wins, as in PEFT. */
  rankPattern: [string, number][];
  alphaPattern: [string, number][];
  /** A list of names, a regular expression, or 'all-linear'; null when absent. */
  targetModules: string[] | string | null;
  modulesToSave: string[];
  initLoraWeights: unknown;
  baseModelNameOrPath: string | null;
  /** The parsed JSON, for fields this reader does not interpret. */
  raw: Record<string, unknown>;
}

const fail = (message: string): never => {
  throw new SettingError('adapter', `adapter_config.json: ${message}`);
};

function num(o: Record<string, unknown>, key: string, fallback: number, integer: boolean): number {
  const v = o[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && (!Number.isInteger(v) || v < 1))) {
    fail(`"${key}" must be ${integer ? 'a whole number ≥ 1' : 'a finite number'}, not ${JSON.stringify(v)}.`);
  }
  return v as number;
}

function pattern(o: Record<string, unknown>, key: string, integer: boolean): [string, number][] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (typeof v !== 'object' || Array.isArray(v)) return fail(`"${key}" must be an object of module pattern → number.`);
  return Object.entries(v as Record<string, unknown>).map(([k, n]) => {
    if (typeof n !== 'number' || !Number.isFinite(n) || (integer && (!Number.isInteger(n) || n < 1))) {
      fail(`"${key}" gives ${JSON.stringify(n)} for "${k}": it must be ${integer ? 'a whole number ≥ 1' : 'a finite number'}.`);
    }
    try {
      new RegExp(k);
    } catch {
      fail(`"${key}" has the key "${k}", which is not a regular expression.`);
    }
    return [k, n as number];
  });
}

/** Parse adapter_config.json's text. Non-LoRA PEFT types are refused by name. */
export function parseAdapterConfig(text: string): PeftLoraConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('the file is not JSON.');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the file is not a JSON object.');
  const o = raw as Record<string, unknown>;
  const type = o.peft_type;
  if (type !== 'LORA') {
    fail(
      type === undefined
        ? 'it has no "peft_type": is this a PEFT adapter folder?'
        : `"peft_type" is ${JSON.stringify(type)}; only LoRA adapters ("LORA") can be read here.`,
    );
  }
  const t = o.target_modules;
  if (t !== undefined && t !== null && typeof t !== 'string' && !(Array.isArray(t) && t.every((x) => typeof x === 'string'))) {
    fail('"target_modules" must be a list of names or a regular expression.');
  }
  const save = o.modules_to_save;
  const base = o.base_model_name_or_path;
  return {
    peftType: 'LORA',
    r: num(o, 'r', 8, true),
    loraAlpha: num(o, 'lora_alpha', 8, false),
    useRslora: o.use_rslora === true,
    useDora: o.use_dora === true,
    fanInFanOut: o.fan_in_fan_out === true,
    rankPattern: pattern(o, 'rank_pattern', true),
    alphaPattern: pattern(o, 'alpha_pattern', false),
    targetModules: (t as string[] | string | undefined) ?? null,
    modulesToSave: Array.isArray(save) ? save.filter((x): x is string => typeof x === 'string') : [],
    initLoraWeights: o.init_lora_weights ?? true,
    baseModelNameOrPath: typeof base === 'string' ? base : null,
    raw: o,
  };
}

/** PEFT's `get_pattern_key`: the first pattern key matching `path` as a dotted suffix, or null. */
export function patternKey(keys: readonly string[], path: string): string | null {
  for (const key of keys) if (new RegExp(`^(.*\\.)?(${key})$`).test(path)) return key;
  return null;
}

/** r, α and the scaling PEFT gives the module at `path` (without `base_model.model.`). */
export function moduleHyper(c: PeftLoraConfig, path: string): { rank: number; alpha: number; scaling: number } {
  const rk = patternKey(c.rankPattern.map(([k]) => k), path);
  const ak = patternKey(c.alphaPattern.map(([k]) => k), path);
  const rank = rk === null ? c.r : c.rankPattern.find(([k]) => k === rk)![1];
  const alpha = ak === null ? c.loraAlpha : c.alphaPattern.find(([k]) => k === ak)![1];
  return { rank, alpha, scaling: scalingFor(c.useRslora ? 'alpha/sqrt(r)' : 'alpha/r', alpha, rank) };
}
