/**
 * The engine's SVD against ml-matrix's, interleaved in one process (CPU time of this process, WASM,
 * 1 thread), on seeded Gaussian square matrices: the engine as it runs (block steps, then rounds
 * if needed), the engine with Jacobi rounds only (blockSteps: 0, the algorithm before block
 * steps), and ml-matrix's float64 Golub–Kahan SVD. `SIZES=64,256 REPS=… npx tsx bench/svd-quick.ts`.
 */
import * as ort from 'onnxruntime-web';
import { SVD, Matrix as MlMatrix } from 'ml-matrix';
import { Runtime, type Ort } from '../demos/runtime';
import { svd } from '../demos/svd';
import type { Matrix } from '../demos/types';

ort.env.wasm.numThreads = 1;

function randn(n: number, seed = 1): Float32Array {
  let s = seed;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
}

async function cpuMs(f: () => unknown): Promise<number> {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

async function main() {
  // One runtime each, so that neither reuses the other's sessions.
  const rtBlock = new Runtime(ort as unknown as Ort, 'wasm');
  const rtRounds = new Runtime(ort as unknown as Ort, 'wasm');
  for (const size of (process.env.SIZES ?? '64,256').split(',').map(Number)) {
    const m: Matrix = { rows: size, cols: size, data: randn(size * size, size) };
    const ml = new MlMatrix(Array.from({ length: size }, (_, i) => Array.from(m.data.subarray(i * size, (i + 1) * size))));
    const reps = Number(process.env.REPS ?? (size <= 64 ? 20 : 4));
    const steps: string[] = [];
    const sweeps: string[] = [];
    // Warm-up (sessions, JIT), and the path each takes.
    await svd(rtBlock, m, { onSweep: ({ kind }) => steps.push(kind) });
    await svd(rtRounds, m, { blockSteps: 0, onSweep: ({ kind }) => sweeps.push(kind) });
    const t = { block: [] as number[], rounds: [] as number[], ml: [] as number[] };
    for (let i = 0; i < reps; i++) {
      t.block.push(await cpuMs(() => svd(rtBlock, m)));
      t.rounds.push(await cpuMs(() => svd(rtRounds, m, { blockSteps: 0 })));
      t.ml.push(await cpuMs(() => new SVD(ml, { autoTranspose: true })));
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
    const f = (a: number[]) => `min ${Math.min(...a).toFixed(1)} med ${med(a).toFixed(1)}`;
    const count = (a: string[], k: string) => a.filter((x) => x === k).length;
    console.log(
      `${size}×${size}, ${reps} reps, CPU ms: engine ${f(t.block)} (${count(steps, 'block')} block steps, ${count(steps, 'rounds')} sweeps)` +
        ` | rounds only ${f(t.rounds)} (${count(sweeps, 'rounds')} sweeps) | ml-matrix ${f(t.ml)}` +
        ` | engine / ml-matrix: min ${(Math.min(...t.block) / Math.min(...t.ml)).toFixed(2)}, med ${(med(t.block) / med(t.ml)).toFixed(2)}`,
    );
  }
  rtBlock.dispose();
  rtRounds.dispose();
}
main();
