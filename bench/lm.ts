/**
 * One LoRA training step (q_proj, v_proj, rank 8, Adam, batch 8 × 64) of the chapter-8 model:
 * the engine on onnxruntime-web WASM in Node beside PyTorch eager on the CPU
 * (scripts/lm/bench_torch.py, peft), with 1 and 2 threads each, and for each side the GFLOP/s of
 * the step and of a plain chain of matmuls of the step's sizes (every projection of one forward
 * pass: the backend's practical peak on this workload). Writes bench/results/lm.json.
 *
 *   npx tsx bench/lm.ts (part of `npm run bench`)      THREADS=1,2 PAIRS=2 to change what runs
 *
 * The machine may be busy: each thread count runs engine and PyTorch in turn (A B A B …, PAIRS
 * pairs, each side a fresh process), and the ratio is taken pair by pair, so that a change in
 * load moves both sides of a pair alike; CPU seconds are printed too (at 1 thread the steadier
 * figure under load), with the load average before and after. PYTHON=… picks the interpreter;
 * else `sh companion/python.sh`. Without torch and peft there the PyTorch half is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { GraphBuilder } from '../demos/onnx/builder';
import { LANGUAGE_MODEL_FILES, LanguageModelEngine, PUBLIC_DIR, encode, parseModel, trainLanguageModel, type LlamaConfig } from '../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..');
const BATCH = 8;
const CONTEXT = 64;
const RANK = 8;
const K = 10; // steps per run, as the CLI and the demo use
const RUNS = 5;
const WARMUP_RUNS = 3;

/**
 * Matmul FLOPs (2·m·n·k each) of one LoRA step on q_proj and v_proj of every layer, as the
 * gradient needs them (the engine's graph and PyTorch's autograd do the same products):
 * forward, every layer and the head; backward, the head's and each layer's input gradients from
 * the top down to layer 0, where only what reaches the adapters is needed (the MLP's and
 * o_proj's input gradients, the attention's ∂/∂q and ∂/∂v, not ∂/∂k, nothing below q and v),
 * and the adapters' own products. Elementwise work (norms, softmax, RoPE, Adam) is not counted.
 */
export function loraStepFlops(c: LlamaConfig, batch: number, context: number, rank: number): number {
  const n = batch * context;
  const [d, f, V, L] = [c.hiddenSize, c.intermediateSize, c.vocabSize, c.numLayers];
  const hd = d / c.numHeads;
  const mm = (m: number, k: number, p: number): number => 2 * m * k * p;
  const attnOne = batch * c.numHeads * mm(context, hd, context); // one (T × d_h)·(d_h × T) product per head, or its transpose
  const lora = 2 * (mm(n, d, rank) + mm(n, rank, d)); // x·Aᵀ and (x·Aᵀ)·Bᵀ, on q and v
  const loraBack = 2 * (mm(n, d, rank) /* ∂B */ + mm(n, d, rank) /* ∂(xAᵀ) */ + mm(n, rank, d) /* ∂A */);
  const loraBackX = 2 * mm(n, rank, d); // ∂x through A, on q and v (not in layer 0)
  const proj = mm(n, d, d);
  const mlp = 3 * mm(n, d, f);
  const forward = L * (4 * proj + mlp + 2 * attnOne + lora) + mm(n, d, V);
  const upper = 4 * proj + mlp + 4 * attnOne + loraBack + loraBackX; // layers 1 … L−1: every input gradient
  const bottom = proj /* o_proj */ + mlp + 3 * attnOne /* ∂att, ∂v, ∂q */ + loraBack; // layer 0
  return forward + mm(n, V, d) + (L - 1) * upper + bottom;
}

/** The plain matmul chain: every projection of one forward pass at the step's sizes (x·Wᵀ as MatMul with Wᵀ given). */
function matmulChain(c: LlamaConfig, n: number): { g: GraphBuilder; flops: number; feeds: Record<string, ort.Tensor> } {
  const [d, f] = [c.hiddenSize, c.intermediateSize];
  const shapes: [number, number][] = [[d, d], [d, d], [d, d], [d, d], [d, f], [d, f], [f, d]];
  const g = new GraphBuilder('matmul_chain');
  const xd = g.input('xd', [n, d]);
  const xf = g.input('xf', [n, f]);
  const feeds: Record<string, ort.Tensor> = { xd: new ort.Tensor('float32', new Float32Array(n * d).fill(0.01), [n, d]), xf: new ort.Tensor('float32', new Float32Array(n * f).fill(0.01), [n, f]) };
  const outs: string[] = [];
  let flops = 0;
  for (let l = 0; l < c.numLayers; l++) {
    shapes.forEach(([k, m], i) => {
      const name = `w${l}_${i}`;
      feeds[name] = new ort.Tensor('float32', new Float32Array(k * m).fill(0.01), [k, m]);
      outs.push(g.reduceSum(g.matmul(k === d ? xd : xf, g.input(name, [k, m])), undefined, false));
      flops += 2 * n * k * m;
    });
  }
  g.output(g.concat(outs.map((o) => g.reshape(o, [1])), 0), 'y', [outs.length]);
  return { g, flops, feeds };
}

/**
 * One side's figures: wall and CPU seconds per step (medians), the step's GFLOP/s on each, and the
 * matmul chain's GFLOP/s (its best run: the peak) on wall and CPU time. At 1 thread the CPU
 * figures are what the process got of a core, so they hold under load; wall ones do not.
 */
type Side = { seconds_per_step: number; cpu_seconds_per_step: number; step_gflops: number; step_gflops_cpu: number; matmul_gflops: number; matmul_gflops_cpu: number };

/** The engine's side, in this process (a child: numThreads is fixed once onnxruntime has started). */
async function engineSide(threads: number): Promise<Side & { first_run_with_session_s: number }> {
  ort.env.wasm.numThreads = threads;
  const dir = join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const tokens = encode(model, readFileSync(join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.train), 'utf8'));
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const spec = { targets: ['q_proj' as const, 'v_proj' as const], rank: RANK, alpha: 2 * RANK, useRslora: false };
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  const run = async (steps: number) => {
    let t = performance.now();
    let c = process.cpuUsage();
    return trainLanguageModel(engine, {
      model, tokens, mode: spec, lr: 3e-3, steps, batch: BATCH, context: CONTEXT, stepsPerRun: K,
      onProgress: () => {
        const u = process.cpuUsage(c);
        walls.push((performance.now() - t) / 1000 / K);
        cpuTimes.push((u.user + u.system) / 1e6 / K);
        t = performance.now();
        c = process.cpuUsage();
      },
    });
  };
  const t0 = performance.now();
  await run(K); // builds and caches the session
  const firstRun = (performance.now() - t0) / 1000;
  // V8 first runs WebAssembly on its baseline compiler and tiers up in the background: warm up
  // until the optimised code runs, so the figure is the steady state, not the first seconds.
  await run(K * WARMUP_RUNS);
  walls.length = cpuTimes.length = 0;
  await run(K * RUNS);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const step = median(walls);

  const chain = matmulChain(model.config, BATCH * CONTEXT);
  const session = await ort.InferenceSession.create(chain.g.toBytes(), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  for (let i = 0; i < 3; i++) await session.run(chain.feeds);
  const mm: number[] = [];
  const mmCpu: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await session.run(chain.feeds);
    const u = process.cpuUsage(c);
    mm.push((performance.now() - t) / 1000);
    mmCpu.push((u.user + u.system) / 1e6);
  }
  await session.release();
  await engine.dispose();
  const flops = loraStepFlops(model.config, BATCH, CONTEXT, RANK);
  return {
    seconds_per_step: step,
    cpu_seconds_per_step: median(cpuTimes),
    step_gflops: flops / step / 1e9,
    step_gflops_cpu: flops / median(cpuTimes) / 1e9,
    matmul_gflops: chain.flops / Math.min(...mm) / 1e9,
    matmul_gflops_cpu: chain.flops / Math.min(...mmCpu) / 1e9,
    first_run_with_session_s: firstRun,
  };
}

function torchSide(threads: number, py: (args: string[]) => string, flops: number): Side {
  const out = JSON.parse(py([join(ROOT, 'scripts/lm/bench_torch.py'), String(BATCH), String(CONTEXT), String(RANK), '20', String(threads)]).trim().split('\n').pop()!) as Side & { torch: string };
  return { ...out, step_gflops: flops / out.seconds_per_step / 1e9, step_gflops_cpu: flops / out.cpu_seconds_per_step / 1e9 };
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--engine-child');
  if (child >= 0) {
    console.log(JSON.stringify(await engineSide(Number(process.argv[child + 1]))));
    return;
  }
  const threadCounts = (process.env.THREADS ?? '1,2').split(',').map(Number);
  const pairs = Number(process.env.PAIRS ?? 2);
  const dir = join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
  const config = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8')).config;
  const flops = loraStepFlops(config, BATCH, CONTEXT, RANK);
  const py = (args: string[]) =>
    process.env.PYTHON ? execFileSync(process.env.PYTHON, args, { encoding: 'utf8', cwd: ROOT }) : execFileSync('sh', ['companion/python.sh', ...args], { encoding: 'utf8', cwd: ROOT });
  let hasTorch = true;
  try {
    py(['-c', 'import torch, peft']);
  } catch {
    hasTorch = false;
    console.log('PyTorch comparison skipped: no Python with torch and peft (set PYTHON=…, or make .venv-companion with companion/setup-venv.sh).');
  }
  const engineChild = (threads: number): Side =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--engine-child', String(threads)], { encoding: 'utf8', cwd: ROOT }).trim().split('\n').pop()!) as Side;

  const loadBefore = loadavg();
  const rows: Record<string, unknown>[] = [];
  console.log(`LoRA step, batch ${BATCH} x ${CONTEXT}, rank ${RANK} on q_proj, v_proj: ${(flops / 1e9).toFixed(2)} GFLOP of matmuls per step (load ${loadBefore[0]!.toFixed(1)} on ${cpus().length} cores)`);
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const g = (x: number) => x.toFixed(1);
  const side = (x: Side) =>
    `${ms(x.seconds_per_step)}/step wall, ${ms(x.cpu_seconds_per_step)} CPU; step ${g(x.step_gflops)} GFLOP/s wall, ${g(x.step_gflops_cpu)} CPU; matmul peak ${g(x.matmul_gflops)} GFLOP/s wall, ${g(x.matmul_gflops_cpu)} CPU`;
  for (const threads of threadCounts) {
    for (let p = 0; p < pairs; p++) {
      const e = engineChild(threads);
      const t = hasTorch ? torchSide(threads, py, flops) : null;
      // The floor: the step's matmuls alone, every one at the backend's matmul peak, with every
      // other op free. No graph of this step can run faster on this backend.
      const floorCpu = flops / (e.matmul_gflops_cpu * 1e9);
      const row = {
        threads, pair: p, load: loadavg()[0], engine: e, pytorch: t,
        ratio_wall: t ? e.seconds_per_step / t.seconds_per_step : null,
        ratio_cpu: t ? e.cpu_seconds_per_step / t.cpu_seconds_per_step : null,
        floor_cpu_seconds_per_step: floorCpu,
        floor_ratio_cpu: t ? floorCpu / t.cpu_seconds_per_step : null,
      };
      rows.push(row);
      console.log(
        `  ${threads} thread${threads > 1 ? 's' : ''}, pair ${p + 1} (load ${row.load!.toFixed(1)}):\n` +
          `    engine  ${side(e)}\n` +
          (t ? `    PyTorch ${side(t)}\n    engine / PyTorch: ${row.ratio_wall!.toFixed(2)}x wall, ${row.ratio_cpu!.toFixed(2)}x CPU\n` : '') +
          `    floor: the step's matmuls alone at the engine's matmul peak take ${ms(floorCpu)} CPU` +
          (t ? ` = ${row.floor_ratio_cpu!.toFixed(2)}x PyTorch's whole step` : '') +
          `; the engine's step is ${((e.cpu_seconds_per_step / floorCpu - 1) * 100).toFixed(0)}% above it`,
      );
    }
  }
  const loadAfter = loadavg();
  console.log(`  load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(1)).join(' ')}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/lm.json'),
    JSON.stringify({ date: new Date().toISOString(), loadBefore, loadAfter, cores: cpus().length, node: process.version, ort: ort.env.versions.web, stepGflop: flops / 1e9, workload: { batch: BATCH, context: CONTEXT, rank: RANK, targets: ['q_proj', 'v_proj'], stepsPerRun: K, runs: RUNS }, rows }, null, 2) + '\n',
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
