import * as ort from 'onnxruntime-web';
import { SVD, Matrix as MlMatrix } from 'ml-matrix';
import { createEngine, type Matrix } from '../demos/index';
ort.env.wasm.numThreads = 1;
function randn(n: number, seed = 1) { let s = seed; const r = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; }; return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r())); }
async function main() {
  const engine = await createEngine({ backend: 'wasm' } as any);
  for (const size of (process.env.SIZES ?? '64,256').split(',').map(Number)) {
    const m: Matrix = { rows: size, cols: size, data: randn(size * size, size) };
    const ml = new MlMatrix(Array.from({ length: size }, (_, i) => Array.from(m.data.subarray(i * size, (i + 1) * size))));
    const reps = size <= 64 ? 20 : 4;
    await engine.svd(m);
    const te: number[] = [], tm: number[] = [];
    for (let i = 0; i < reps; i++) {
      let c = process.cpuUsage(); await engine.svd(m); let d = process.cpuUsage(c); te.push((d.user + d.system) / 1000);
      c = process.cpuUsage(); new SVD(ml, { autoTranspose: true }); d = process.cpuUsage(c); tm.push((d.user + d.system) / 1000);
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
    console.log(`${size}: engine CPU min ${Math.min(...te).toFixed(1)} med ${med(te).toFixed(1)} | ml-matrix min ${Math.min(...tm).toFixed(1)} med ${med(tm).toFixed(1)}`);
  }
  await engine.dispose();
}
main();
