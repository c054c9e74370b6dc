/**
 * The engine in Chromium: the run on this project's backend ('wasm', or 'webgpu' on
 * SwiftShader) agrees with a run on WASM within 1e-4 (a short training run, a merge and an
 * SVD), and 'auto' says which backend it chose. Harness: src/lab/engine.astro, built only with
 * ENGINE_LAB=1 (`npm run test:e2e` sets it; by hand: `ENGINE_LAB=1 npx astro build`).
 */
import { expect, test, type Page } from '@playwright/test';
import type { Backend, Engine, EngineOptions, Matrix } from '../../../demos/index';

type Harness = { createEngine: (o?: EngineOptions) => Promise<Engine> };
type Plain = { rows: number; cols: number; data: number[] };
type Outcome = {
  backend: Backend;
  fallbackReason?: string;
  lossesSgd: number[];
  lossesAdam: number[];
  a: number[];
  merged: number[];
  s: number[];
  reconstruction: number;
};

async function open(page: Page): Promise<void> {
  await page.goto('lab/engine/');
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/** Run the same small workload on `backend` inside the page. */
function runWorkload(page: Page, backend: Backend): Promise<Outcome> {
  return page.evaluate(async (backend) => {
    const { createEngine } = (window as unknown as { __engine: Harness }).__engine;
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const mat = (rows: number, cols: number, scale = 1): Matrix => ({
      rows, cols, data: Float32Array.from({ length: rows * cols }, () => rnd() * scale),
    });
    const [n, k, d, r] = [64, 8, 8, 2];
    const x = mat(n, k), y = mat(n, d), w = mat(d, k, 0.3), a0 = mat(r, k, 0.1), b0 = mat(d, r, 0.1);
    const m = mat(12, 9);
    const engine = await createEngine({ backend });
    try {
      const sgd = await engine.trainLora({ x, y, w, a0, b0, scaling: 4, lr: 0.05, steps: 60 });
      const adam = await engine.trainLora({ x, y, w, a0, b0, scaling: 4, lr: 0.01, steps: 20, optimizer: 'adam' });
      const merged = await engine.merge(w, sgd.a, sgd.b, 4);
      const { u, s, vt } = await engine.svd(m);
      // ‖U·Σ·Vᵀ − M‖_F / ‖M‖_F
      let num = 0, den = 0;
      for (let i = 0; i < m.rows; i++)
        for (let j = 0; j < m.cols; j++) {
          let v = 0;
          for (let p = 0; p < s.length; p++) v += u.data[i * u.cols + p]! * s[p]! * vt.data[p * vt.cols + j]!;
          num += (v - m.data[i * m.cols + j]!) ** 2;
          den += m.data[i * m.cols + j]! ** 2;
        }
      return {
        backend: engine.backend,
        fallbackReason: engine.fallbackReason,
        lossesSgd: Array.from(sgd.losses),
        lossesAdam: Array.from(adam.losses),
        a: Array.from(sgd.a.data),
        merged: Array.from(merged.data),
        s: Array.from(s),
        reconstruction: Math.sqrt(num / den),
      };
    } finally {
      await engine.dispose();
    }
  }, backend);
}

const maxRel = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(Math.abs(b[i]!), 1e-3)));

test('the engine agrees with WASM within 1e-4 on training, merge and SVD', async ({ page, context }, info) => {
  const backend = (info.project.metadata as { backend: Backend }).backend;
  await open(page);
  const here = await runWorkload(page, backend);
  expect(here.backend).toBe(backend);
  // The reference run on WASM, in a fresh page (its own onnxruntime-web instance).
  const other = await context.newPage();
  await open(other);
  const wasm = await runWorkload(other, 'wasm');
  expect(wasm.backend).toBe('wasm');
  expect(here.lossesSgd).toHaveLength(60);
  expect(here.lossesSgd[59]!).toBeLessThan(here.lossesSgd[0]!);
  expect(maxRel(here.lossesSgd, wasm.lossesSgd)).toBeLessThan(1e-4);
  expect(maxRel(here.lossesAdam, wasm.lossesAdam)).toBeLessThan(1e-4);
  expect(Math.max(...here.a.map((v, i) => Math.abs(v - wasm.a[i]!)))).toBeLessThan(1e-4);
  expect(Math.max(...here.merged.map((v, i) => Math.abs(v - wasm.merged[i]!)))).toBeLessThan(1e-4);
  expect(Math.max(...here.s.map((v, i) => Math.abs(v - wasm.s[i]!)))).toBeLessThan(1e-4 * wasm.s[0]!);
  expect(here.reconstruction).toBeLessThan(1e-4);
});

test("'auto' reports the backend it chose, and WASM-only never downloads the WebGPU binary", async ({ page }, info) => {
  const backend = (info.project.metadata as { backend: Backend }).backend;
  const wasmFiles: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmFiles.push(r.url());
  });
  await open(page);
  const chosen = await page.evaluate(async () => {
    const e = await (window as unknown as { __engine: Harness }).__engine.createEngine({ backend: 'auto' });
    const out = { backend: e.backend, fallbackReason: e.fallbackReason, measured: e.autoChoice?.decision.measured };
    await e.merge({ rows: 1, cols: 2, data: new Float32Array([1, 2]) }, { rows: 1, cols: 2, data: new Float32Array([1, 1]) }, { rows: 1, cols: 1, data: new Float32Array([1]) }, 1);
    await e.dispose();
    return out;
  });
  if (backend === 'webgpu') {
    // The webgpu project's adapter is SwiftShader, a software fallback: Auto times both (the
    // flag alone decides nothing), WASM is faster, and the reason gives both figures.
    expect(chosen.backend).toBe('wasm');
    expect(chosen.measured?.map((m) => m.backend).sort()).toEqual(['wasm', 'webgpu']);
    expect(chosen.fallbackReason).toMatch(/WASM was faster when measured \(WASM [\d.]+ ms\/step vs WebGPU [\d.]+ ms\/step here\).*software fallback/);
  } else if (chosen.backend === 'wasm') {
    // Chromium without --enable-unsafe-webgpu: no adapter, so WASM and a reason in words.
    expect(chosen.fallbackReason).toMatch(/WebGPU/);
    if (!/could not run a test graph/.test(chosen.fallbackReason ?? '')) {
      expect(wasmFiles.filter((u) => /jsep|asyncify|jspi/.test(u))).toEqual([]);
    }
  }
  expect(wasmFiles.length).toBeGreaterThan(0);
});
