/**
 * What `npm run lm:finetune` and `npm run lm:eval` share, so their numbers mean the same thing:
 * the committed base model, the held-out text, the held-out windows (LM_CLI.valWindows evenly
 * spaced windows of devil-val.txt) and the probe (the held-out text's first context-length window;
 * its logits are taken at the last position).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingError } from '../../demos/errors';
import { type Adapter, LANGUAGE_MODEL_FILES, LM_DEFAULTS, type LanguageModel, type LanguageModelEngine, PUBLIC_DIR, encode, evaluateLoss, parseModel } from '../../demos/lm/index';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** Repository-relative paths (metrics.json's model_dir and val_text), from demos/lm/files.ts. */
export const MODEL_DIR = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
export const TRAIN_TEXT = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.train);
export const VAL_TEXT = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.val);
/** The CLIs measure the held-out loss on twice the demo's windows: they have the time. */
export const LM_CLI = { valWindows: 2 * LM_DEFAULTS.valWindows } as const;

export function loadBase(): LanguageModel {
  const dir = join(ROOT, MODEL_DIR);
  return parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
}

export const readTokens = (model: LanguageModel, path: string): number[] => encode(model, readFileSync(join(ROOT, path), 'utf8'));

/** The probe window: the held-out text's first context-length window. */
export const probeIds = (model: LanguageModel, val: number[]): number[] => val.slice(0, model.config.maxPositions);

/** Held-out loss and the logits at the probe's last position, for a base and optional adapter. */
export async function measure(engine: LanguageModelEngine, model: LanguageModel, val: number[], adapter?: Adapter): Promise<{ valLoss: number; probeLogits: number[] }> {
  const valLoss = await evaluateLoss(engine, model, val, { windows: LM_CLI.valWindows }, adapter);
  const ids = probeIds(model, val);
  const T = ids.length;
  const V = model.config.vocabSize;
  const { logits } = await engine.forward(model, { x: ids, batch: 1, context: T }, adapter);
  return { valLoss, probeLogits: Array.from(logits.subarray((T - 1) * V, T * V)) };
}

/** Argument reading shared by the CLIs: a flag's value, as a number or a string, with a usage error naming the flag. */
export function flagValue(flag: string, v: string | undefined): string {
  if (v === undefined || v.startsWith('--')) throw new SettingError('usage', `${flag} needs a value.`);
  return v;
}

export function flagNumber(flag: string, v: string | undefined): number {
  const s = flagValue(flag, v);
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw new SettingError('usage', `${flag} needs a number, not ${JSON.stringify(s)}.`);
  return n;
}

/**
 * `q_proj=4,layers\.0\..*v_proj=8` → { q_proj: 4, 'layers\.0\..*v_proj': 8 } in the given order.
 * Keys are PEFT pattern keys (regular expressions): a piece without "=" (a comma inside a regex
 * such as `{1,2}`) joins the next piece, and a key ends at its last "=".
 */
export function parsePattern(flag: string, v: string | undefined): Record<string, number> {
  const pieces = flagValue(flag, v).split(',');
  const entries: string[] = [];
  let pending = '';
  for (const p of pieces) {
    const joined = pending ? `${pending},${p}` : p;
    if (joined.includes('=')) {
      entries.push(joined);
      pending = '';
    } else pending = joined;
  }
  if (pending.trim()) throw new SettingError('pattern', `${flag}: ${JSON.stringify(pending)} has no "=value" (write module=value pairs separated by commas, e.g. q_proj=4,v_proj=8).`);
  const out: Record<string, number> = {};
  for (const e of entries) {
    const at = e.lastIndexOf('=');
    const key = e.slice(0, at).trim();
    const value = e.slice(at + 1).trim();
    const n = Number(value);
    if (!key) throw new SettingError('pattern', `${flag}: ${JSON.stringify(e)} has no module name before "=".`);
    if (value === '' || !Number.isFinite(n)) throw new SettingError('pattern', `${flag}: the value for ${key} must be a number, not ${JSON.stringify(value)}.`);
    out[key] = n;
  }
  return out;
}

/** Run a CLI's main: an SettingError prints its message and exits 2, anything else exits 1. */
export function runCli(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    process.exit(e instanceof SettingError ? 2 : 1);
  });
}
