/**
 * Tokens/s of one LoRA training step (q_proj, v_proj, rank 8, Adam) on the chapter-8 model:
 * the engine on onnxruntime-web WASM in Node with 1 thread, next to PyTorch eager on the CPU with
 * 1 thread (scripts/lm/bench_torch.py, peft), same model, batch and context. Writes
 * bench/results/lm.json.   Run: npx tsx bench/lm.ts (part of `npm run bench`)
 * PYTHON=… picks the interpreter; else `sh companion/python.sh` (the companion's venv, else
 * python3). Without torch and peft there the PyTorch half is skipped, with a message, and the
 * engine's figure is still written.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { LANGUAGE_MODEL_FILES, LanguageModelEngine, PUBLIC_DIR, encode, parseModel, trainLanguageModel } from '../demos/lm/index';

ort.env.wasm.numThreads = 1; // the target is "one core"

const ROOT = resolve(import.meta.dirname, '..');
const BATCH = 8;
const CONTEXT = 64;
const RANK = 8;
const K = 10; // steps per run, as the CLI and the demo use
const RUNS = 3;
const WARMUP_RUNS = 3;

async function main(): Promise<void> {
  const dir = join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const tokens = encode(model, readFileSync(join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.train), 'utf8'));
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const spec = { targets: ['q_proj' as const, 'v_proj' as const], rank: RANK, alpha: 2 * RANK, useRslora: false };
  const run = (steps: number) => trainLanguageModel(engine, { model, tokens, mode: spec, lr: 3e-3, steps, batch: BATCH, context: CONTEXT, stepsPerRun: K });
  const t0 = performance.now();
  await run(K); // builds and caches the session
  const firstRun = (performance.now() - t0) / 1000;
  // V8 first runs WebAssembly on its baseline compiler and tiers up in the background: warm up
  // until the optimised code runs, so the figure is the steady state, not the first seconds.
  await run(K * WARMUP_RUNS);
  const r = await run(K * RUNS);
  await engine.dispose();
  const engineStep = r.seconds / (K * RUNS);

  const py = (args: string[]) =>
    process.env.PYTHON ? execFileSync(process.env.PYTHON, args, { encoding: 'utf8', cwd: ROOT }) : execFileSync('sh', ['companion/python.sh', ...args], { encoding: 'utf8', cwd: ROOT });
  let hasTorch = true;
  try {
    py(['-c', 'import torch, peft']);
  } catch {
    hasTorch = false;
    console.log('PyTorch comparison skipped: no Python with torch and peft (set PYTHON=…, or make .venv-companion with companion/setup-venv.sh).');
  }
  const torchOut = hasTorch
    ? (JSON.parse(py([join(ROOT, 'scripts/lm/bench_torch.py'), String(BATCH), String(CONTEXT), String(RANK), '20']).trim().split('\n').pop()!) as { torch: string; seconds_per_step: number; tokens_per_s: number })
    : null;

  const rows = {
    engine_wasm_1_thread: { seconds_per_step: engineStep, tokens_per_s: (BATCH * CONTEXT) / engineStep, first_run_with_session_s: firstRun },
    pytorch_eager_1_thread: torchOut,
    ratio_engine_over_pytorch_time: torchOut ? engineStep / torchOut.seconds_per_step : null,
  };
  console.log(`LoRA step, batch ${BATCH} x ${CONTEXT}, rank ${RANK} on q_proj, v_proj (load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
  console.log(`  engine WASM 1 thread: ${(engineStep * 1000).toFixed(0)} ms/step, ${rows.engine_wasm_1_thread.tokens_per_s.toFixed(0)} tokens/s`);
  if (torchOut) {
    console.log(`  PyTorch eager 1 thread: ${(torchOut.seconds_per_step * 1000).toFixed(0)} ms/step, ${torchOut.tokens_per_s.toFixed(0)} tokens/s`);
    console.log(`  engine / PyTorch time: ${(engineStep / torchOut.seconds_per_step).toFixed(2)}x`);
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/lm.json'),
    JSON.stringify({ date: new Date().toISOString(), load: loadavg()[0], cores: cpus().length, node: process.version, ort: ort.env.versions.web, threads: ort.env.wasm.numThreads, workload: { batch: BATCH, context: CONTEXT, rank: RANK, targets: spec.targets, stepsPerRun: K, runs: RUNS }, rows }, null, 2) + '\n',
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
