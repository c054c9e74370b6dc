import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import {
  BackendUnavailableError, createEngine, SettingError, MAX_STEPS, planRuns, STEPS_PER_RUN, TrainingDivergedError,
  type Engine, type Matrix,
} from './index';
import { axpy, fullLossGrad, loraLossGrad, mm, Optimizer64, randn, randomMatrix, to64, type M64 } from './test-support/float64';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => {
  await engine.dispose();
});

const copy = (m: Matrix): Matrix => ({ ...m, data: m.data.slice() });
const same = (a: Matrix, b: Matrix) => a.rows === b.rows && a.cols === b.cols && a.data.every((v, i) => Object.is(v, b.data[i]));
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('createEngine', () => {
  it("in Node, 'auto' runs on WASM and says why", async () => {
    const e = await createEngine();
    expect(e.backend).toBe('wasm');
    expect(e.fallbackReason).toMatch(/Node has no WebGPU/);
    await e.dispose();
    expect(engine.fallbackReason).toBeUndefined();
  });
  it("in Node, 'webgpu' throws a clear error", async () => {
    await expect(createEngine({ backend: 'webgpu' })).rejects.toThrow(BackendUnavailableError);
    await expect(createEngine({ backend: 'webgpu' })).rejects.toThrow(/WebGPU was asked for/);
  });
});

describe('planRuns', () => {
  it('uses runs of 25, 5 and 1 steps', () => {
    expect(planRuns(1000)).toEqual(new Array(40).fill(25));
    expect(planRuns(67)).toEqual([25, 25, 5, 5, 5, 1, 1]);
    expect(planRuns(3)).toEqual([1, 1, 1]);
  });
});

describe('forward, merge, unmerge', () => {
  const rng = randn(11);
  const [n, k, d, r, s] = [20, 12, 10, 3, 2.5];
  const x = randomMatrix(n, k, rng), w = randomMatrix(d, k, rng), a = randomMatrix(r, k, rng, 0.5), b = randomMatrix(d, r, rng, 0.5);

  it('merge then unmerge returns W within 1e-6, and leaves the inputs alone', async () => {
    const before = [w, a, b].map(copy);
    const merged = await engine.merge(w, a, b, s);
    expect(maxAbs(merged.data, axpy(to64(w), mm(to64(b), to64(a)), s).data)).toBeLessThan(1e-5);
    const back = await engine.unmerge(merged, a, b, s);
    expect(maxAbs(back.data, w.data)).toBeLessThan(1e-6);
    [w, a, b].forEach((m, i) => expect(same(m, before[i]!)).toBe(true));
  });

  it('loraForward equals x·mergedᵀ within 1e-5', async () => {
    const h = await engine.loraForward(x, w, a, b, s);
    const merged = await engine.merge(w, a, b, s);
    expect([h.rows, h.cols]).toEqual([n, d]);
    expect(maxAbs(h.data, mm(to64(x), to64(merged), false, true).data)).toBeLessThan(1e-5);
  });

  it('lists and hands out the graphs it ran', () => {
    const names = engine.graphNames();
    expect(names.some((nm) => nm.startsWith('merge_'))).toBe(true);
    expect(engine.graph(names[0]!)).toBeInstanceOf(Uint8Array);
    expect(() => engine.graph('nope')).toThrow(/No graph named "nope"/);
  });
});

/** Float64 PyTorch-style loop: losses[t] before update t. */
function reference(kind: 'lora' | 'full', opt: 'sgd' | 'adam', steps: number, lr: number, m: Record<string, Matrix>, s = 0) {
  const X = to64(m.x!), Y = to64(m.y!);
  const losses: number[] = [];
  if (kind === 'lora') {
    const W = to64(m.w!), A = to64(m.a0!), B = to64(m.b0!);
    const o = new Optimizer64(opt, lr, [A.data.length, B.data.length]);
    for (let t = 0; t < steps; t++) {
      const g = loraLossGrad(X, Y, W, A, B, s);
      losses.push(g.loss);
      o.step([A, B], [g.dA, g.dB]);
    }
    return { losses, params: [A, B] as M64[] };
  }
  const W = to64(m.w0!);
  const o = new Optimizer64(opt, lr, [W.data.length]);
  for (let t = 0; t < steps; t++) {
    const g = fullLossGrad(X, Y, W);
    losses.push(g.loss);
    o.step([W], [g.dW]);
  }
  return { losses, params: [W] };
}

describe('training against a float64 re-implementation of the PyTorch loop (50 steps)', () => {
  // The notebook's shapes, scaled down in N to keep the float64 reference quick.
  const rng = randn(5);
  const [n, k, d, r, alpha] = [200, 32, 32, 4, 8];
  const x = randomMatrix(n, k, rng), y = randomMatrix(n, d, rng);
  const w = randomMatrix(d, k, rng, 1 / Math.sqrt(k)), a0 = randomMatrix(r, k, rng, 0.1), b0 = randomMatrix(d, r, rng, 0.1);

  for (const optimizer of ['sgd', 'adam'] as const) {
    const lr = optimizer === 'sgd' ? 0.05 : 0.01;
    it(`trainLora ${optimizer}: relative loss error ≤ 1e-4 at every step; inputs untouched`, async () => {
      const before = [x, y, w, a0, b0].map(copy);
      const progress: number[] = [];
      // 67 steps = runs of 50, 10 and single steps: every session size is exercised.
      const got = await engine.trainLora({
        x, y, w, a0, b0, scaling: alpha / r, lr, steps: 67, optimizer,
        onProgress: (p) => { expect(p.losses.length).toBe(p.step); progress.push(p.step); },
      });
      const ref = reference('lora', optimizer, 67, lr, { x, y, w, a0, b0 }, alpha / r);
      for (let t = 0; t < 67; t++) expect(Math.abs(got.losses[t]! - ref.losses[t]!) / ref.losses[t]!).toBeLessThan(1e-4);
      expect(got.losses[66]!).toBeLessThan(got.losses[0]!);
      expect(maxAbs(got.a.data, ref.params[0]!.data)).toBeLessThan(1e-4);
      expect(maxAbs(got.b.data, ref.params[1]!.data)).toBeLessThan(1e-4);
      expect(progress).toEqual([25, 50, 55, 60, 65, 66, 67]); // one report per run: 25 + 25 + 5·3 + 1·2
      [x, y, w, a0, b0].forEach((m, i) => expect(same(m, before[i]!)).toBe(true));
    });

    it(`trainFull ${optimizer}: relative loss error ≤ 1e-4 at every step`, async () => {
      const got = await engine.trainFull({ x, y, w0: w, lr, steps: 50, optimizer });
      const ref = reference('full', optimizer, 50, lr, { x, y, w0: w });
      for (let t = 0; t < 50; t++) expect(Math.abs(got.losses[t]! - ref.losses[t]!) / ref.losses[t]!).toBeLessThan(1e-4);
      expect(maxAbs(got.w.data, ref.params[0]!.data)).toBeLessThan(1e-4);
    });
  }

  it('stays within 1e-4 of float64 as the fit becomes good (learnable target, 200 Adam steps)', async () => {
    const g = randn(8);
    const [n2, k2, d2, r2] = [200, 16, 16, 2];
    const x2 = randomMatrix(n2, k2, g), w2 = randomMatrix(d2, k2, g, 0.25);
    // y = x·(W + B*·A*)ᵀ + 0.01·noise: LoRA can fit it down to the noise.
    const target = axpy(to64(w2), mm(to64(randomMatrix(d2, r2, g)), to64(randomMatrix(r2, k2, g, 0.5))), 1);
    const noise = to64(randomMatrix(n2, d2, g, 0.01));
    const y2: Matrix = { rows: n2, cols: d2, data: Float32Array.from(axpy(mm(to64(x2), target, false, true), noise).data) };
    const a2 = randomMatrix(r2, k2, g, 0.1), b2 = randomMatrix(d2, r2, g, 0.1);
    const o = { x: x2, y: y2, w: w2, a0: a2, b0: b2 };
    const got = await engine.trainLora({ ...o, scaling: 1, lr: 0.02, steps: 200, optimizer: 'adam' });
    const ref = reference('lora', 'adam', 200, 0.02, o, 1);
    expect(ref.losses[199]! / ref.losses[0]!).toBeLessThan(0.01); // the fit is good
    for (let t = 0; t < 200; t++) expect(Math.abs(got.losses[t]! - ref.losses[t]!) / ref.losses[t]!).toBeLessThan(1e-4);
  });

  it('stops a divergent run with its step, keeping the losses so far', async () => {
    const err = await engine.trainFull({ x, y, w0: w, lr: 1e4, steps: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const e = err as TrainingDivergedError;
    expect(Number.isFinite(e.losses[e.step]!)).toBe(false);
    expect(e.losses.length).toBe(e.step + 1);
    expect(Array.from(e.losses.slice(0, e.step)).every(Number.isFinite)).toBe(true);
    expect(e.message).toMatch(new RegExp(`step ${e.step}`));
  });

  it('aborts between runs with an AbortError', async () => {
    const c = new AbortController();
    let seen = 0;
    const p = engine.trainLora({
      x, y, w, a0, b0, scaling: 2, lr: 0.01, steps: 150,
      signal: c.signal,
      onProgress: (q) => { seen = q.step; c.abort(); },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(STEPS_PER_RUN[0]); // stopped after the first run
    const pre = new AbortController();
    pre.abort();
    await expect(engine.trainFull({ x, y, w0: w, lr: 0.01, steps: 5, signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('bad input is refused before anything runs', () => {
  const rng = randn(9);
  const x = randomMatrix(16, 8, rng), y = randomMatrix(16, 6, rng), w = randomMatrix(6, 8, rng);
  const a0 = randomMatrix(2, 8, rng), b0 = randomMatrix(6, 2, rng);
  const ok = { x, y, w, a0, b0, scaling: 2, lr: 0.01, steps: 10 };
  const code = async (p: Promise<unknown>, c: string, msg?: RegExp) => {
    const e = await p.catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SettingError);
    expect((e as SettingError).code).toBe(c);
    if (msg) expect((e as Error).message).toMatch(msg);
  };

  it('shape mismatches name the shapes', async () => {
    await code(engine.trainLora({ ...ok, x: randomMatrix(16, 7, rng) }), 'shape', /x is 16×7 but w is 6×8: x needs 8 columns/);
    await code(engine.trainLora({ ...ok, y: randomMatrix(15, 6, rng) }), 'shape', /y is 15×6 but x is 16×8/);
    await code(engine.trainLora({ ...ok, y: randomMatrix(16, 5, rng) }), 'shape', /y needs 6 columns/);
    await code(engine.trainLora({ ...ok, a0: randomMatrix(2, 7, rng) }), 'shape', /a0 is 2×7 but w is 6×8/);
    await code(engine.trainLora({ ...ok, b0: randomMatrix(5, 2, rng) }), 'shape', /b0 is 5×2/);
    await code(engine.trainLora({ ...ok, b0: randomMatrix(6, 3, rng) }), 'shape', /b0 needs 2 columns/);
    await code(engine.merge(w, a0, randomMatrix(6, 3, rng), 1), 'shape');
    await code(engine.loraForward(randomMatrix(3, 5, rng), w, a0, b0, 1), 'shape', /x is 3×5/);
    await code(engine.trainFull({ x, y, w0: randomMatrix(6, 9, rng), lr: 0.1, steps: 1 }), 'shape', /w0 is 6×9/);
    await code(engine.merge({ data: new Float32Array(5), rows: 2, cols: 3 }, a0, b0, 1), 'shape', /holds 5/);
  });

  it('rank must be 1 … min(d, k)', async () => {
    await code(engine.trainLora({ ...ok, a0: randomMatrix(7, 8, rng), b0: randomMatrix(6, 7, rng) }), 'rank', /min\(d, k\) = 6/);
    await code(engine.merge(w, { data: new Float32Array(0), rows: 0, cols: 8 }, { data: new Float32Array(0), rows: 6, cols: 0 }, 1), 'empty');
  });

  it('lr, steps, optimizer and scaling', async () => {
    for (const lr of [0, -1, NaN, Infinity]) await code(engine.trainLora({ ...ok, lr }), 'lr');
    for (const steps of [0, -3, 1.5, MAX_STEPS + 1, NaN]) await code(engine.trainFull({ x, y, w0: w, lr: 0.1, steps }), 'steps', new RegExp(`${MAX_STEPS}`));
    await code(engine.trainLora({ ...ok, optimizer: 'rmsprop' as 'sgd' }), 'optimizer');
    for (const scaling of [NaN, Infinity]) await code(engine.trainLora({ ...ok, scaling }), 'scaling');
    await code(engine.loraForward(x, w, a0, b0, NaN), 'scaling');
  });

  it('NaN or Infinity in any input', async () => {
    for (const [name, m] of Object.entries({ x, y, w, a0, b0 })) {
      const bad = copy(m);
      bad.data[3] = name === 'y' ? Infinity : NaN;
      await code(engine.trainLora({ ...ok, [name]: bad }), 'nonfinite', new RegExp(`^${name}\\[${Math.floor(3 / m.cols)}\\]\\[${3 % m.cols}\\]`));
    }
    const bad = copy(w);
    bad.data[0] = -Infinity;
    await code(engine.svd(bad), 'nonfinite');
  });
});
