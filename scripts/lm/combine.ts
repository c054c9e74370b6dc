/**
 * Combine PEFT LoRA adapters for the chapter-8 model as PEFT's `add_weighted_adapter` does, and
 * write the result as a PEFT adapter folder:
 *
 *   npm run lm:combine -- --adapters A,B[,…] --weights w1,w2[,…] --combination TYPE --out DIR
 *                         [--density D] [--svd-rank R] [--svd-clamp Q] [--majority-sign total|frequency]
 *
 * TYPE: linear, cat, svd, ties, magnitude_prune (demos/lm/variants/combine.ts says what each
 * computes). DIR/adapter_config.json and DIR/adapter_model.safetensors (float32) load with
 * `PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(base), DIR)`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingError } from '../../demos/errors';
import { writeSafetensors } from '../../demos/export/safetensors';
import { LANGUAGE_MODEL_FILES, PUBLIC_DIR, modulePath, moduleShape, parseModel, TARGET_MODULES } from '../../demos/lm/index';
import { COMBINATION_TYPES, combineAdapters, linearModulePaths, type CombinationType, type CombineInput } from '../../demos/lm/variants/combine';
import { readPeftAdapter } from '../../demos/peft/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MODEL_DIR = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
const USAGE = 'Usage: npm run lm:combine -- --adapters A,B --weights w1,w2 --combination linear|cat|svd|ties|magnitude_prune --out DIR [--density D] [--svd-rank R] [--svd-clamp Q] [--majority-sign total|frequency]';

interface Args {
  adapters: string[];
  weights: number[];
  combination: CombinationType;
  out: string;
  density?: number;
  svdRank?: number;
  svdClamp?: number;
  majoritySign?: 'total' | 'frequency';
}

function parseArgs(argv: string[]): Args {
  const o: Partial<Args> = {};
  const usage = (m: string): never => {
    throw new SettingError('usage', `${m}\n${USAGE}`);
  };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(n)) usage(`${flag} needs a number, not ${JSON.stringify(v)}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (flag.startsWith('--') && (v === undefined || v.startsWith('--'))) usage(`${flag} needs a value.`);
    switch (flag) {
      case '--adapters': o.adapters = v!.split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--weights': o.weights = v!.split(',').map((s) => num('--weights', s)); break;
      case '--combination':
        if (!(COMBINATION_TYPES as readonly string[]).includes(v!)) {
          throw new SettingError('combination', `--combination ${v} is not one of ${COMBINATION_TYPES.join(', ')} (PEFT's dare_* types draw random masks and are not implemented).`);
        }
        o.combination = v as CombinationType;
        break;
      case '--out': o.out = v!; break;
      case '--density': o.density = num(flag, v); break;
      case '--svd-rank': o.svdRank = num(flag, v); break;
      case '--svd-clamp': o.svdClamp = num(flag, v); break;
      case '--majority-sign':
        if (v !== 'total' && v !== 'frequency') usage(`--majority-sign is total or frequency, not ${v}.`);
        o.majoritySign = v as 'total' | 'frequency';
        break;
      default: usage(`Unknown option ${flag}.`);
    }
    i++;
  }
  if (!o.adapters?.length) usage('Say which adapter folders to combine: --adapters A,B.');
  if (!o.weights) usage('Give one weight per adapter: --weights w1,w2.');
  if (!o.combination) usage('Say how to combine them: --combination TYPE.');
  if (!o.out) usage('Say where to write the combined adapter: --out DIR.');
  return o as Args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const dir = join(ROOT, MODEL_DIR);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  // PEFT ignores the options a combination does not use; say so rather than pretend they acted.
  const warn = (m: string): boolean => process.stderr.write(`note: ${m}\n`);
  const pruning = args.combination === 'ties' || args.combination === 'magnitude_prune';
  if (args.density !== undefined && !pruning) warn(`--density has no effect on ${args.combination} (PEFT ignores it too).`);
  if (args.svdRank !== undefined && args.combination !== 'svd') warn(`--svd-rank has no effect on ${args.combination} (PEFT ignores it too).`);
  if (args.svdClamp !== undefined && args.combination !== 'svd') warn(`--svd-clamp has no effect on ${args.combination} (PEFT ignores it too).`);
  if (args.adapters.length === 1 && args.combination !== 'linear') warn(`one adapter: PEFT runs linear, not ${args.combination}.`);

  // Each adapter must fit this base: every module it adapts is a linear layer of the model, with its shape.
  const shapes = new Map<string, [number, number]>();
  for (let i = 0; i < model.config.numLayers; i++) for (const m of TARGET_MODULES) shapes.set(modulePath(i, m), moduleShape(model.config, m));
  shapes.set('lm_head', [model.config.vocabSize, model.config.hiddenSize]);
  const inputs: CombineInput[] = args.adapters.map((folder) => {
    const d = resolve(folder);
    let configText: string;
    let weights: Uint8Array;
    try {
      configText = readFileSync(join(d, 'adapter_config.json'), 'utf8');
      weights = new Uint8Array(readFileSync(join(d, 'adapter_model.safetensors')));
    } catch {
      throw new SettingError('adapters', `${folder}: not a PEFT adapter folder (it needs adapter_config.json and adapter_model.safetensors).`);
    }
    const adapter = readPeftAdapter(configText, weights);
    if (adapter.skipped.length) {
      throw new SettingError('adapters', `${folder}: ${adapter.skipped.length} tensor(s) this combiner cannot use, first ${adapter.skipped[0]!.name}: ${adapter.skipped[0]!.reason}`);
    }
    for (const m of adapter.modules) {
      const s = shapes.get(m.name);
      if (!s) throw new SettingError('adapters', `${folder}: it adapts ${m.name}, which the chapter-8 model does not have.`);
      if (s[0] !== m.shape[0] || s[1] !== m.shape[1]) throw new SettingError('adapters', `${folder}: ${m.name} is ${s[0]}×${s[1]} in the chapter-8 model but ${m.shape[0]}×${m.shape[1]} in the adapter: is it for another base?`);
    }
    return { name: folder, adapter };
  });

  const baseWeight = (path: string) => model.weights.get(`${path}.weight`)!;
  const combined = combineAdapters(inputs, { ...args, baseWeight }, linearModulePaths(model.config));
  if (inputs.some(({ adapter }) => adapter.config.useDora)) warn('PEFT combines A and B only: the DoRA magnitudes of the inputs are dropped.');
  if (args.svdClamp !== undefined) warn('PEFT clamps at a quantile of the signed entries of U·S and Vᴴ, so the result depends on the signs LAPACK gives the singular vectors; this SVD picks its own signs, and a clamped result can differ from PEFT\'s.');
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'adapter_config.json'), JSON.stringify(combined.config, null, 2) + '\n');
  const tensors = [...combined.modules].flatMap(([path, { a, b, magnitude }]) => [
    { name: `base_model.model.${path}.lora_A.weight`, shape: a.shape, data: a.data },
    { name: `base_model.model.${path}.lora_B.weight`, shape: b.shape, data: b.data },
    ...(magnitude ? [{ name: `base_model.model.${path}.lora_magnitude_vector`, shape: magnitude.shape, data: magnitude.data }] : []),
  ]);
  writeFileSync(join(out, 'adapter_model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
  console.log(`${combined.combination} of ${inputs.length} adapter(s): r = lora_alpha = ${combined.rank}, scale ${combined.scaling.toPrecision(6)}${combined.config.use_rslora === true ? ' (use_rslora copied from the first adapter: α/√r)' : ''}, ${combined.modules.size} modules; wrote ${out}`);
}

try {
  main();
} catch (e: unknown) {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(e instanceof SettingError ? 2 : 1);
}
