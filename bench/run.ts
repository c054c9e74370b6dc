/**
 * `npm run bench`: the engine's speed on WASM in Node (one thread), next to plain TypeScript
 * and ml-matrix. Prints a table and writes bench/results/engine.json. Not a test.
 *
 * Workloads (issue 2): the notebook's LoRA training (N = 1600, k = d = 32, r = 4, α = 8, SGD,
 * lr = 0.01, 1000 steps) and svd of random 64×64 and 256×256 matrices.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as ort from 'onnxruntime-web';
import { SVD, Matrix as MlMatrix } from 'ml-matrix';
import { createEngine, type Matrix } from '../demos/index';

ort.env.wasm.numThreads = 1; // the target is "one core"

function randn(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}
const rand = (rows: number, cols: number, rng: () => number, scale = 1): Matrix => ({
  rows, cols, data: Float32Array.from({ length: rows * cols }, () => rng() * scale),
});

/** The same LoRA SGD loop in plain TypeScript (Float32Array storage, float64 arithmetic). */
function plainLoraSgd(x: Matrix, y: Matrix, w: Matrix, a0: Matrix, b0: Matrix, s: number, lr: number, steps: number): Float32Array {
  const [n, k, d, r] = [x.rows, x.cols, w.rows, a0.rows];
  const X = x.data, A = a0.data.slice(), B = b0.data.slice();
  const R = new Float32Array(n * d); // R = X·Wᵀ − Y
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    let acc = 0;
    for (let p = 0; p < k; p++) acc += X[i * k + p]! * w.data[j * k + p]!;
    R[i * d + j] = acc - y.data[i * d + j]!;
  }
  const H = new Float32Array(n * r), E = new Float32Array(n * d), EB = new Float32Array(n * r);
  const dA = new Float32Array(r * k), dB = new Float32Array(d * r), losses = new Float32Array(steps);
  const c = (2 * s) / (n * d);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < n; i++) for (let q = 0; q < r; q++) { // H = X·Aᵀ
      let acc = 0;
      for (let p = 0; p < k; p++) acc += X[i * k + p]! * A[q * k + p]!;
      H[i * r + q] = acc;
    }
    let sse = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { // E = R + s·H·Bᵀ
      let acc = 0;
      for (let q = 0; q < r; q++) acc += H[i * r + q]! * B[j * r + q]!;
      const e = R[i * d + j]! + s * acc;
      E[i * d + j] = e;
      sse += e * e;
    }
    losses[t] = sse / (n * d);
    dB.fill(0);
    EB.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
      const e = E[i * d + j]!;
      for (let q = 0; q < r; q++) {
        dB[j * r + q]! += e * H[i * r + q]!; // Eᵀ·H
        EB[i * r + q]! += e * B[j * r + q]!; // E·B
      }
    }
    dA.fill(0);
    for (let i = 0; i < n; i++) for (let q = 0; q < r; q++) {
      const g = EB[i * r + q]!;
      for (let p = 0; p < k; p++) dA[q * k + p]! += g * X[i * k + p]!; // (E·B)ᵀ·X
    }
    for (let i = 0; i < A.length; i++) A[i]! -= lr * c * dA[i]!;
    for (let i = 0; i < B.length; i++) B[i]! -= lr * c * dB[i]!;
  }
  return losses;
}

/** Best wall time of `reps` runs, and that run's CPU time (user + system) of this process. */
let lastCpuMs = NaN;
const time = async (f: () => unknown | Promise<unknown>, reps: number): Promise<number> => {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    const wall = performance.now() - t0;
    if (wall < best) {
      best = wall;
      const c = process.cpuUsage(c0);
      lastCpuMs = (c.user + c.system) / 1000;
    }
  }
  return best;
};

async function main(): Promise<void> {
  const engine = await createEngine({ backend: 'wasm' });
  const rng = randn(42);
  const [n, k, d, r, alpha, lr, steps] = [1600, 32, 32, 4, 8, 0.01, 1000];
  const x = rand(n, k, rng), w = rand(d, k, rng, 1 / Math.sqrt(k)), y = rand(n, d, rng);
  const a0 = rand(r, k, rng, 0.01), b0: Matrix = { rows: d, cols: r, data: new Float32Array(d * r) };
  const o = { x, y, w, a0, b0, scaling: alpha / r, lr, steps, optimizer: 'sgd' as const };

  const tBuild = performance.now();
  await engine.trainLora({ ...o, steps: 25 }); // builds the 25-step session
  const buildMs = performance.now() - tBuild;
  const engineMs = await time(() => engine.trainLora(o), 3);
  const engineCpuMs = lastCpuMs;
  const adamMs = await time(() => engine.trainLora({ ...o, optimizer: 'adam' }), 2);
  const plainMs = await time(() => plainLoraSgd(x, y, w, a0, b0, alpha / r, lr, steps), 3);
  const plainCpuMs = lastCpuMs;
  const e = await engine.trainLora(o);
  const p = plainLoraSgd(x, y, w, a0, b0, alpha / r, lr, steps);
  const agree = Math.max(...Array.from(e.losses, (l, i) => Math.abs(l - p[i]!) / p[i]!));

  type Row = { workload: string; engine_ms: number; baseline: string; baseline_ms: number; note?: string };
  const rows: Row[] = [
    { workload: 'trainLora SGD step (ms/step)', engine_ms: engineMs / steps, baseline: 'plain TS loop', baseline_ms: plainMs / steps, note: `max rel. loss diff ${agree.toExponential(1)}` },
    // CPU time is the honest number on a shared machine: wall time includes waiting for a core.
    { workload: 'trainLora SGD step, CPU ms/step', engine_ms: engineCpuMs / steps, baseline: 'plain TS loop', baseline_ms: plainCpuMs / steps },
    { workload: 'trainLora Adam step (ms/step)', engine_ms: adamMs / steps, baseline: '-', baseline_ms: NaN },
    { workload: 'first 25-step session build (ms)', engine_ms: buildMs, baseline: '-', baseline_ms: NaN },
  ];
  for (const size of [64, 256]) {
    const m = rand(size, size, randn(size));
    const ml = new MlMatrix(Array.from({ length: size }, (_, i) => Array.from(m.data.subarray(i * size, (i + 1) * size))));
    const reps = size <= 64 ? 20 : 5; // best of: a 64×64 SVD takes milliseconds, so one run is noise
    const mlMs = await time(() => new SVD(ml, { autoTranspose: true }), reps);
    const mlCpuMs = lastCpuMs;
    try {
      await engine.svd(m); // warm-up: builds the sessions
      const svdMs = await time(() => engine.svd(m), reps);
      rows.push({ workload: `svd ${size}×${size} (ms)`, engine_ms: svdMs, baseline: 'ml-matrix SVD', baseline_ms: mlMs });
      rows.push({ workload: `svd ${size}×${size}, CPU ms`, engine_ms: lastCpuMs, baseline: 'ml-matrix SVD', baseline_ms: mlCpuMs });
    } catch (err) {
      rows.push({ workload: `svd ${size}×${size} (ms)`, engine_ms: NaN, baseline: 'ml-matrix SVD', baseline_ms: mlMs, note: `failed: ${(err as Error).message}` });
    }
  }
  await engine.dispose();

  const fmt = (v: number) => (Number.isNaN(v) ? '-' : v < 1 ? v.toFixed(4) : v.toFixed(1));
  console.log(`onnxruntime-web ${ort.env.versions.web} WASM, ${ort.env.wasm.numThreads} thread, Node ${process.version}, ${cpus()[0]?.model ?? ''}, load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  console.log(['workload'.padEnd(34), 'engine'.padStart(10), 'baseline'.padStart(10), '  vs', ''].join(' '));
  for (const row of rows) {
    console.log([row.workload.padEnd(34), fmt(row.engine_ms).padStart(10), fmt(row.baseline_ms).padStart(10), `  ${row.baseline}`, row.note ? `(${row.note})` : ''].join(' '));
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/engine.json', import.meta.url),
    JSON.stringify({ date: new Date().toISOString(), load: loadavg()[0], cores: cpus().length, node: process.version, ort: ort.env.versions.web, threads: ort.env.wasm.numThreads, workload: { n, k, d, r, alpha, lr, steps }, rows }, null, 2) + '\n',
  );
}

await main();
