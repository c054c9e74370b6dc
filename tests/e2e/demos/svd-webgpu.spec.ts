/**
 * The SVD at a size where its graphs have their full shape (64 × 64 inputs: block steps, runs of
 * many rounds, the sweep's short runs, the check): on this project's backend ('webgpu' on
 * SwiftShader, or 'wasm') it agrees with a run on WASM within 1e-4·σ₁ and keeps the accuracy
 * promise of demos/SVD.md (residual ≤ 1e-5, UᵀU and VVᵀ within 1e-4 of I). Two inputs: a random
 * matrix, which block steps alone finish, and rank 1 + 1e-6·noise, where the block steps stop
 * helping and the Jacobi rounds finish (demos/svd.test.ts checks that this very input, made by
 * the same generator, takes that path). engine.spec.ts's 12 × 9 SVD is small enough for one run
 * of rounds, which is how a rounds graph that WebGPU rejected at 64 × 64 once passed it.
 * Harness: src/lab/engine.astro (built with ENGINE_LAB=1).
 */
import { expect, test, type Page } from '@playwright/test';
import type { Backend, Engine, EngineOptions } from '../../../demos/index';

type Harness = { createEngine: (o?: EngineOptions) => Promise<Engine> };
type Input = 'random' | 'rank 1 + noise';
type Outcome = { backend: Backend; s: number[]; residual: number; orthoU: number; orthoV: number; errors: string[] };

async function open(page: Page): Promise<void> {
  await page.goto('lab/engine/');
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/** SVD of a seeded size × size input on `backend`, with the promise's measures taken in float64. */
function runSvd(page: Page, backend: Backend, size: number, input: Input): Promise<Outcome> {
  return page.evaluate(
    async ({ backend, size, input }) => {
      const { createEngine } = (window as unknown as { __engine: Harness }).__engine;
      const n = size;
      const m = { rows: n, cols: n, data: new Float32Array(n * n) };
      let seed = 11;
      const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
      if (input === 'random') {
        for (let i = 0; i < n * n; i++) m.data[i] = rnd();
      } else {
        const u = Array.from({ length: n }, rnd);
        const v = Array.from({ length: n }, rnd);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.data[i * n + j] = u[i]! * v[j]! + 1e-6 * rnd();
      }
      const engine = await createEngine({ backend });
      const errors: string[] = [];
      try {
        const { u, s, vt } = await engine.svd(m);
        // ‖U·Σ·Vᵀ − M‖_F / ‖M‖_F; max |UᵀU − I| and |VᵀV − I| (V's columns are Vᵀ's rows) on
        // the columns the promise covers, σ > 1e-5·σ₁ (below it, σ is float32 noise of the input).
        let num = 0, den = 0;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let v = 0;
            for (let k = 0; k < n; k++) v += u.data[i * n + k]! * s[k]! * vt.data[k * n + j]!;
            num += (v - m.data[i * n + j]!) ** 2;
            den += m.data[i * n + j]! ** 2;
          }
        let orthoU = 0, orthoV = 0;
        const kept = Array.from(s.keys()).filter((k) => s[k]! > 1e-5 * s[0]!);
        for (const a of kept)
          for (const b of kept) {
            let du = 0, dv = 0;
            for (let k = 0; k < n; k++) {
              du += u.data[k * n + a]! * u.data[k * n + b]!;
              dv += vt.data[a * n + k]! * vt.data[b * n + k]!;
            }
            orthoU = Math.max(orthoU, Math.abs(du - (a === b ? 1 : 0)));
            orthoV = Math.max(orthoV, Math.abs(dv - (a === b ? 1 : 0)));
          }
        return { backend: engine.backend, s: Array.from(s), residual: Math.sqrt(num / den), orthoU, orthoV, errors };
      } catch (e) {
        errors.push(String(e));
        return { backend: engine.backend, s: [], residual: NaN, orthoU: NaN, orthoV: NaN, errors };
      } finally {
        await engine.dispose();
      }
    },
    { backend, size, input },
  );
}

// SVD_E2E_SIZE=128 (or 256) checks another size by hand; SwiftShader needs minutes for the rounds there.
const size = Number(process.env.SVD_E2E_SIZE ?? 64);

for (const input of ['random', 'rank 1 + noise'] as const) {
  test(`a ${size} × ${size} SVD (${input}) agrees with WASM within 1e-4·σ₁ and keeps the accuracy promise`, async ({ page, context }, info) => {
    const backend = (info.project.metadata as { backend: Backend }).backend;
    test.setTimeout(120_000 + size * size * 20);
    await open(page);
    const here = await runSvd(page, backend, size, input);
    expect(here.errors).toEqual([]);
    expect(here.backend).toBe(backend);
    const other = await context.newPage();
    await open(other);
    const wasm = await runSvd(other, 'wasm', size, input);
    expect(wasm.errors).toEqual([]);
    expect(here.s).toHaveLength(size);
    expect(Math.max(...here.s.map((v, i) => Math.abs(v - wasm.s[i]!)))).toBeLessThan(1e-4 * wasm.s[0]!);
    expect(here.residual).toBeLessThan(1e-5);
    expect(here.orthoU).toBeLessThan(1e-4);
    expect(here.orthoV).toBeLessThan(1e-4);
  });
}
