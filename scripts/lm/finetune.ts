/**
 * Fine-tune LoRA adapters on the committed base model in Node (onnxruntime-web, WASM), with
 * the demo's defaults, and write a PEFT adapter plus metrics:
 *
 *   npm run lm:finetune -- --out DIR [--steps N] [--rank R] [--alpha A] [--targets q_proj,v_proj]
 *                          [--lr X] [--seed S] [--batch B] [--rslora]
 *
 * DIR/adapter_config.json, DIR/adapter_model.safetensors (as PEFT saves them) and DIR/metrics.json:
 * { model_dir, val_text, val_loss_before, val_loss_after, train_losses, tokens_per_s, probe_ids,
 *   probe_logits } — losses in nats per token; probe_ids one context-length window of the held-out
 * text, probe_logits the adapted model's logits at its last position.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingError } from '../../demos/errors';
import {
  LANGUAGE_MODEL_FILES, LM_DEFAULTS, LanguageModelEngine, MODEL_NAME, PUBLIC_DIR, TARGET_MODULES, encode, evaluateLoss, parseModel, peftAdapterFiles,
  trainLanguageModel, type LoraSpec, type TargetModule,
} from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MODEL_DIR = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
const TRAIN_TEXT = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.train);
const VAL_TEXT = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.val);
/** The CLI measures the held-out loss on twice the demo's windows: it has the time. */
const VAL_WINDOWS = 2 * LM_DEFAULTS.valWindows;

function parseArgs(argv: string[]): { out: string; steps: number; rank: number; alpha: number; targets: TargetModule[]; lr: number; seed: number; batch: number; rslora: boolean } {
  const o = { out: '', ...LM_DEFAULTS, targets: [...LM_DEFAULTS.targets], rslora: false };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new SettingError('usage', `${flag} needs a number, not ${JSON.stringify(v)}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    switch (flag) {
      case '--out': if (!v) throw new SettingError('usage', '--out needs a folder.'); o.out = v; i++; break;
      case '--steps': o.steps = num(flag, v); i++; break;
      case '--rank': o.rank = num(flag, v); i++; break;
      case '--alpha': o.alpha = num(flag, v); i++; break;
      case '--lr': o.lr = num(flag, v); i++; break;
      case '--seed': o.seed = num(flag, v); i++; break;
      case '--batch': o.batch = num(flag, v); i++; break;
      case '--targets': {
        const t = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const bad = t.filter((s) => !(TARGET_MODULES as readonly string[]).includes(s));
        if (bad.length) throw new SettingError('targets', `Unknown target module ${bad.join(', ')}: choose from ${TARGET_MODULES.join(', ')}.`);
        o.targets = t as TargetModule[];
        i++;
        break;
      }
      case '--rslora': o.rslora = true; break;
      default: throw new SettingError('usage', `Unknown option ${flag}. Usage: npm run lm:finetune -- --out DIR [--steps N] [--rank R] [--alpha A] [--targets q_proj,v_proj] [--lr X] [--seed S] [--batch B] [--rslora]`);
    }
  }
  if (!o.out) throw new SettingError('usage', 'Say where to write the adapter: --out DIR.');
  return o;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = join(ROOT, MODEL_DIR);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const train = encode(model, readFileSync(join(ROOT, TRAIN_TEXT), 'utf8'));
  const val = encode(model, readFileSync(join(ROOT, VAL_TEXT), 'utf8'));
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const spec: LoraSpec = { targets: args.targets, rank: args.rank, alpha: args.alpha, useRslora: args.rslora };
  const T = model.config.maxPositions;
  const valLossBefore = await evaluateLoss(engine, model, val, { windows: VAL_WINDOWS });
  const r = await trainLanguageModel(engine, {
    model, tokens: train, mode: spec, lr: args.lr, steps: args.steps, batch: args.batch, seed: args.seed, stepsPerRun: LM_DEFAULTS.stepsPerRun,
    onProgress: ({ step, losses, tokensPerSecond }) => {
      process.stdout.write(`step ${step}/${args.steps}  loss ${losses[step - 1]!.toFixed(4)}  ${tokensPerSecond.toFixed(0)} tokens/s\n`);
    },
  });
  const adapter = r.adapter!;
  const valLossAfter = await evaluateLoss(engine, model, val, { windows: VAL_WINDOWS }, adapter);
  const probeIds = Array.from(val.slice(0, T));
  const { logits } = await engine.forward(model, { x: probeIds, batch: 1, context: T }, adapter);
  const V = model.config.vocabSize;
  const probeLogits = Array.from(logits.subarray((T - 1) * V, T * V));
  await engine.dispose();

  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const files = peftAdapterFiles(adapter, MODEL_NAME);
  writeFileSync(join(out, 'adapter_config.json'), files['adapter_config.json']);
  writeFileSync(join(out, 'adapter_model.safetensors'), files['adapter_model.safetensors']);
  const metrics = {
    model_dir: MODEL_DIR, val_text: VAL_TEXT, val_loss_before: valLossBefore, val_loss_after: valLossAfter,
    train_losses: Array.from(r.losses), tokens_per_s: r.tokensPerSecond, probe_ids: probeIds, probe_logits: probeLogits,
  };
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');
  console.log(`held-out loss ${valLossBefore.toFixed(4)} → ${valLossAfter.toFixed(4)} nats/char; ${r.seconds.toFixed(1)} s, ${r.tokensPerSecond.toFixed(0)} tokens/s; wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(e instanceof SettingError ? 2 : 1);
});
