/**
 * Fine-tune LoRA adapters (or a variant) on the committed base model in Node (onnxruntime-web,
 * WASM), with the demo's defaults, and write a PEFT adapter plus metrics:
 *
 *   npm run lm:finetune -- --out DIR [--steps N] [--rank R] [--alpha A] [--targets q_proj,v_proj]
 *                          [--lr X] [--seed S] [--batch B] [--rslora]
 *                          [--dora] [--init default|gaussian|pissa] [--rank-pattern q_proj=4,v_proj=8]
 *                          [--alpha-pattern q_proj=16] [--loraplus-ratio X] [--qlora]
 *
 * DIR/adapter_config.json, DIR/adapter_model.safetensors (as PEFT saves them: DoRA's
 * lora_magnitude_vector, rank_pattern/alpha_pattern; PiSSA converted to a rank-2r LoRA for the
 * original base, as save_pretrained(path_initial_model_for_weight_conversion=…) does) and DIR/metrics.json:
 * { model_dir, val_text, val_loss_before, val_loss_after, train_losses, tokens_per_s, probe_ids,
 *   probe_logits, variant, trainable_parameters, … } — losses in nats per token over the held-out
 * windows (scripts/lm/cli-common.ts); probe_ids one context-length window of the held-out text,
 * probe_logits the adapted model's logits at its last position (on the base it trained on:
 * PiSSA's residual, QLoRA's NF4 base). With --qlora also base_probe_logits (the quantised base,
 * no adapter), base_val_loss (quantised) and base_val_loss_float32, and the weight bytes of both bases.
 *
 * Random draws: a plain run (no variant flag) is chapter 8's, one generator for PEFT's init and then
 * the batches; with any variant flag the batches come from a generator seeded afresh after the
 * init (trainVariant). companion/language_model.py draws both ways as these do.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingError } from '../../demos/errors';
import { patternKey } from '../../demos/peft/index';
import {
  LM_DEFAULTS, LORA_INITS, LanguageModelEngine, MODEL_NAME, TARGET_MODULES, modulePath, baseWeightBytes, initAdapter, peftAdapterFiles, trainLanguageModel, trainVariant,
  type LoraInit, type LoraVariant, type TargetModule, type VariantTrainResult,
} from '../../demos/lm/index';
import { MODEL_DIR, TRAIN_TEXT, VAL_TEXT, flagNumber, flagValue, loadBase, measure, parsePattern, probeIds, readTokens, runCli } from './cli-common';

const USAGE =
  'Usage: npm run lm:finetune -- --out DIR [--steps N] [--rank R] [--alpha A] [--targets q_proj,v_proj] [--lr X] [--seed S] [--batch B] [--rslora] ' +
  '[--dora] [--init default|gaussian|pissa] [--rank-pattern q_proj=4,v_proj=8] [--alpha-pattern q_proj=16] [--loraplus-ratio X] [--qlora]';

interface Args {
  out: string;
  steps: number;
  rank: number;
  alpha: number;
  targets: TargetModule[];
  lr: number;
  seed: number;
  batch: number;
  rslora: boolean;
  dora: boolean;
  init: LoraInit;
  rankPattern?: Record<string, number>;
  alphaPattern?: Record<string, number>;
  loraplusRatio?: number;
  qlora: boolean;
}

function parseArgs(argv: string[]): Args {
  const D = LM_DEFAULTS;
  const o: Args = { out: '', steps: D.steps, rank: D.rank, alpha: D.alpha, targets: [...D.targets], lr: D.lr, seed: D.seed, batch: D.batch, rslora: false, dora: false, init: 'default', qlora: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    switch (flag) {
      case '--out': o.out = flagValue(flag, v); i++; break;
      case '--steps': o.steps = flagNumber(flag, v); i++; break;
      case '--rank': o.rank = flagNumber(flag, v); i++; break;
      case '--alpha': o.alpha = flagNumber(flag, v); i++; break;
      case '--lr': o.lr = flagNumber(flag, v); i++; break;
      case '--seed': o.seed = flagNumber(flag, v); i++; break;
      case '--batch': o.batch = flagNumber(flag, v); i++; break;
      case '--targets': {
        const t = flagValue(flag, v).split(',').map((s) => s.trim()).filter(Boolean);
        const bad = t.filter((s) => !(TARGET_MODULES as readonly string[]).includes(s));
        if (bad.length) throw new SettingError('targets', `Unknown target module ${bad.join(', ')}: choose from ${TARGET_MODULES.join(', ')}.`);
        o.targets = t as TargetModule[];
        i++;
        break;
      }
      case '--rslora': o.rslora = true; break;
      case '--dora': o.dora = true; break;
      case '--qlora': o.qlora = true; break;
      case '--init': {
        const s = flagValue(flag, v);
        if (!(LORA_INITS as readonly string[]).includes(s)) throw new SettingError('init', `--init must be one of ${LORA_INITS.join(', ')}, not ${JSON.stringify(s)}.`);
        o.init = s as LoraInit;
        i++;
        break;
      }
      case '--rank-pattern': o.rankPattern = parsePattern(flag, v); i++; break;
      case '--alpha-pattern': o.alphaPattern = parsePattern(flag, v); i++; break;
      case '--loraplus-ratio': o.loraplusRatio = flagNumber(flag, v); i++; break;
      default: throw new SettingError('usage', `Unknown option ${flag}. ${USAGE}`);
    }
  }
  if (!o.out) throw new SettingError('usage', `Say where to write the adapter: --out DIR. ${USAGE}`);
  return o;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const model = loadBase();
  const train = readTokens(model, TRAIN_TEXT);
  const val = readTokens(model, VAL_TEXT);
  const variant: LoraVariant = {
    lora: {
      targets: args.targets, rank: args.rank, alpha: args.alpha, useRslora: args.rslora, init: args.init,
      ...(args.dora ? { useDora: true } : {}),
      ...(args.rankPattern ? { rankPattern: args.rankPattern } : {}),
      ...(args.alphaPattern ? { alphaPattern: args.alphaPattern } : {}),
    },
    ...(args.loraplusRatio !== undefined ? { loraplusRatio: args.loraplusRatio } : {}),
    ...(args.qlora ? { qlora: true } : {}),
  };
  // PEFT warns about pattern keys that match no targeted module (tuners_utils.py); so does the CLI.
  const paths = Array.from({ length: model.config.numLayers }, (_, i) => args.targets.map((t) => modulePath(i, t))).flat();
  for (const [flag, pattern] of [['--rank-pattern', args.rankPattern], ['--alpha-pattern', args.alphaPattern]] as const) {
    const keys = Object.keys(pattern ?? {});
    for (const key of keys) {
      if (!paths.some((p) => patternKey(keys, p) === key)) console.warn(`warning: ${flag} key ${JSON.stringify(key)} matches no targeted module (PEFT warns too); it changes nothing.`);
    }
  }
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const options = {
    model, tokens: train, lr: args.lr, steps: args.steps, batch: args.batch, seed: args.seed, stepsPerRun: LM_DEFAULTS.stepsPerRun,
    onProgress: ({ step, losses, tokensPerSecond }: { step: number; losses: Float32Array | number[]; tokensPerSecond: number }) => {
      process.stdout.write(`step ${step}/${args.steps}  loss ${losses[step - 1]!.toFixed(4)}  ${tokensPerSecond.toFixed(0)} tokens/s\n`);
    },
  };
  // A plain run (no variant flag) is chapter 8's run: one generator draws PEFT's init and then the
  // batches, as torch.manual_seed(seed), get_peft_model, torch.randint per step do (the page's run,
  // companion/language_model.py). A variant run prepares its adapter from the seed and then draws
  // the batches from a fresh generator seeded again (trainVariant; chapter 10's committed runs).
  const plain = !args.dora && args.init === 'default' && !args.rankPattern && !args.alphaPattern && args.loraplusRatio === undefined && !args.qlora;
  const r: VariantTrainResult = plain ? await trainPlain(engine, variant, options) : await trainVariant(engine, { ...options, variant });
  const base = r.prepared.base;
  // Before training: the variant's base with its starting adapter (PiSSA: W_res + s·B₀A₀ = W; QLoRA: the NF4 base).
  const before = await measure(engine, base, val, r.prepared.adapter);
  const after = await measure(engine, base, val, r.trained);
  const metrics: Record<string, unknown> = {
    model_dir: MODEL_DIR, val_text: VAL_TEXT, val_loss_before: before.valLoss, val_loss_after: after.valLoss,
    train_losses: Array.from(r.losses), tokens_per_s: r.tokensPerSecond, probe_ids: probeIds(model, val), probe_logits: after.probeLogits,
    variant: {
      targets: args.targets, r: args.rank, lora_alpha: args.alpha, use_rslora: args.rslora, use_dora: args.dora, init: args.init,
      rank_pattern: args.rankPattern ?? {}, alpha_pattern: args.alphaPattern ?? {}, loraplus_ratio: args.loraplusRatio ?? 1, qlora: args.qlora,
      lr: args.lr, steps: args.steps, batch: args.batch, seed: args.seed,
    },
    trainable_parameters: r.trainableParameters, training_state_bytes: r.trainingStateBytes,
  };
  if (args.qlora) {
    const quantised = await measure(engine, base, val);
    const float = await measure(engine, model, val);
    Object.assign(metrics, {
      base_probe_logits: quantised.probeLogits, base_val_loss: quantised.valLoss, base_val_loss_float32: float.valLoss,
      base_weight_bytes: { float32: baseWeightBytes(model, false), nf4: baseWeightBytes(model, true) },
    });
  }
  await engine.dispose();

  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const files = peftAdapterFiles(r.peft, MODEL_NAME);
  writeFileSync(join(out, 'adapter_config.json'), files['adapter_config.json']);
  writeFileSync(join(out, 'adapter_model.safetensors'), files['adapter_model.safetensors']);
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');
  console.log(`held-out loss ${before.valLoss.toFixed(4)} → ${after.valLoss.toFixed(4)} nats/char; ${r.seconds.toFixed(1)} s, ${r.tokensPerSecond.toFixed(0)} tokens/s; wrote ${out}`);
}

/** A plain LoRA run through trainLanguageModel (one generator), in trainVariant's result shape. */
async function trainPlain(engine: LanguageModelEngine, variant: LoraVariant, o: Omit<Parameters<typeof trainLanguageModel>[1], 'mode'>): Promise<VariantTrainResult> {
  const r = await trainLanguageModel(engine, { ...o, mode: variant.lora });
  // The starting adapter it drew: the init comes first from the seeded generator, so initAdapter(seed) redraws it.
  const prepared = { variant, base: o.model, adapter: initAdapter(o.model.config, variant.lora, o.seed ?? 0, o.model.weights) };
  return { ...r, prepared, trained: r.adapter!, peft: r.adapter! };
}

runCli(main);
