/**
 * Chapter 10's committed runs, computed once by the engine in Node (WASM) and rendered at build time:
 *
 *   npx tsx scripts/lm/beyond-lora-run.ts [--adapters] [--variants] [--arithmetic]   (no flag: all three, in this order)
 *
 *  --adapters    the two task adapters of the merging lab: chapter 8's default LoRA (q_proj, v_proj,
 *                r = 8, α = 16, Adam 3e-3, batch 8, seed 0; 200 steps, as the inspector's devil-r8) trained on each task, written as
 *                PEFT folders public/adapters/task-devil/ and public/adapters/task-sotu/ with metrics.json;
 *  --variants    the side-by-side run at the experiment's defaults → demos/lm/results/variants-run.json
 *                (adapters left out: the page offers them after a live run);
 *  --arithmetic  the merging lab at its defaults → demos/lm/results/arithmetic-run.json.
 *
 * demos/experiments/lora-variants.test.ts and adapter-arithmetic.test.ts re-run their first steps.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine } from '../../demos/index';
import { TASK_ADAPTER_DIRS, adapterArithmetic } from '../../demos/experiments/adapter-arithmetic';
import { LANGUAGE_MODEL_DEFAULTS as D } from '../../demos/experiments/defaults';
import { loraVariants } from '../../demos/experiments/lora-variants';
import type { FileSource } from '../../demos/experiments/types';
import { LANGUAGE_MODEL_FILES, LM_TASKS, LanguageModelEngine, MODEL_NAME, PUBLIC_DIR, encode, evaluateLoss, parseModel, peftAdapterFiles, trainLanguageModel } from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PUBLIC = join(ROOT, PUBLIC_DIR);
export const disk: FileSource = {
  async read(path, onBytes) {
    const bytes = new Uint8Array(readFileSync(join(PUBLIC, path)));
    onBytes?.(bytes.length, bytes.length);
    return bytes;
  },
};
/** The task adapters' training: chapter 8's default LoRA run. */
export const TASK_ADAPTER_OPTIONS = {
  spec: { targets: [...D.targets], rank: D.rank, alpha: D.alpha, useRslora: D.scalingRule === 'alpha/sqrt(r)' },
  lr: D.lr, steps: 200, batch: D.batch, seed: D.seed, stepsPerRun: D.stepsPerRun, valWindows: D.valWindows,
};

async function taskAdapters(): Promise<void> {
  const dir = join(PUBLIC, LANGUAGE_MODEL_FILES.modelDir);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const o = TASK_ADAPTER_OPTIONS;
  for (const task of LM_TASKS) {
    const t = LANGUAGE_MODEL_FILES.tasks[task];
    const tokens = encode(model, readFileSync(join(PUBLIC, t.train), 'utf8'));
    const val = encode(model, readFileSync(join(PUBLIC, t.val), 'utf8'));
    const r = await trainLanguageModel(engine, { model, tokens, mode: o.spec, lr: o.lr, steps: o.steps, batch: o.batch, seed: o.seed, stepsPerRun: o.stepsPerRun });
    const files = peftAdapterFiles(r.adapter!, MODEL_NAME);
    const out = join(PUBLIC, TASK_ADAPTER_DIRS[task]);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'adapter_config.json'), files['adapter_config.json']);
    writeFileSync(join(out, 'adapter_model.safetensors'), files['adapter_model.safetensors']);
    const before = await evaluateLoss(engine, model, val, { windows: o.valWindows });
    const after = await evaluateLoss(engine, model, val, { windows: o.valWindows }, r.adapter);
    writeFileSync(join(out, 'metrics.json'), JSON.stringify({ task, options: o, train_text: join(PUBLIC_DIR, t.train), val_text: join(PUBLIC_DIR, t.val), val_loss_before: before, val_loss_after: after, train_losses: Array.from(r.losses) }, null, 1) + '\n');
    console.log(`${task}: held-out ${before.toFixed(4)} → ${after.toFixed(4)}`);
  }
  await engine.dispose();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const all = args.length === 0;
  const results = join(ROOT, 'demos/lm/results');
  mkdirSync(results, { recursive: true });
  if (all || args.includes('--adapters')) await taskAdapters();
  const engine = await createEngine({ backend: 'wasm' });
  if (all || args.includes('--variants')) {
    const r = await loraVariants(engine, {}, { files: disk, onProgress: (p) => { if (p.phase === 'training' && p.steps % 20 === 0) process.stdout.write(`${p.result.running ?? 'done'} step ${p.steps}\n`); } });
    const rows = r.rows.map(({ peft: _p, ...row }) => row);
    writeFileSync(join(results, 'variants-run.json'), JSON.stringify({ settings: r.settings, rows, info: r.info }, null, 1) + '\n');
    for (const row of rows) console.log(`${row.id}: ${row.valBefore.toFixed(4)} → ${row.valAfter.toFixed(4)}, ${row.trainableParameters} params, ${row.msPerStep.toFixed(0)} ms/step`);
  }
  if (all || args.includes('--arithmetic')) {
    const r = await adapterArithmetic(engine, {}, { files: disk });
    const { safetensors: _s, ...combined } = r.combined;
    writeFileSync(join(results, 'arithmetic-run.json'), JSON.stringify({ ...r, combined: { ...combined, safetensors: '' } }, null, 1) + '\n');
    for (const row of r.rows) console.log(`${row.adapter}: ${row.valLoss.map((v) => v.toFixed(4)).join(', ')}`);
  }
  await engine.dispose();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
