import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { buildLoraForward } from './forward';
import { buildMerge } from './merge';
import { buildFullGradients, buildTrainFull } from './train-full';
import { buildLoraGradients, buildTrainLora } from './train-lora';
import { hyperParameters } from './optimizer';
import type { GraphBuilder } from '../onnx/builder';
import type { Matrix } from '../types';
import {
  axpy, fullLossGrad, loraLoss, loraLossGrad, mm, Optimizer64, randn, randomMatrix, to64,
  type M64,
} from '../test-support/float64';

const T = (m: Matrix) => new ort.Tensor('float32', m.data, [m.rows, m.cols]);
const V = (a: Float32Array) => new ort.Tensor('float32', a, [a.length]);
const hp4 = (s: number) => V(new Float32Array([s, 0, 0, 0]));
async function run(g: GraphBuilder, feeds: Record<string, ort.Tensor>) {
  const s = await ort.InferenceSession.create(g.toBytes());
  const out = await s.run(feeds);
  await s.release();
  return out;
}
const arr = (t: ort.Tensor | undefined) => Array.from(t!.data as Float32Array);
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('forward and merge graphs', () => {
  const rng = randn(1);
  const [n, k, d, r, s] = [7, 6, 5, 3, 1.7];
  const x = randomMatrix(n, k, rng), w = randomMatrix(d, k, rng), a = randomMatrix(r, k, rng), b = randomMatrix(d, r, rng);

  it('lora_forward: h = x·Wᵀ + s·(x·Aᵀ)·Bᵀ against float64', async () => {
    const out = await run(buildLoraForward({ n, k, d, r }), { x: T(x), w: T(w), a: T(a), b: T(b), hp: hp4(s) });
    const [X, W, A, B] = [x, w, a, b].map(to64) as [M64, M64, M64, M64];
    const ref = axpy(mm(X, W, false, true), mm(mm(X, A, false, true), B, false, true), s);
    expect(out.h!.dims).toEqual([n, d]);
    expect(maxAbsDiff(arr(out.h), ref.data)).toBeLessThan(1e-5);
  });

  it('merge: W + s·B·A against float64, and −s undoes it', async () => {
    const g = buildMerge({ d, k, r });
    const merged = await run(g, { w: T(w), a: T(a), b: T(b), hp: hp4(s) });
    const ref = axpy(to64(w), mm(to64(b), to64(a)), s);
    expect(maxAbsDiff(arr(merged.w_out), ref.data)).toBeLessThan(1e-5);
    const back = await run(g, { w: merged.w_out!, a: T(a), b: T(b), hp: hp4(-s) });
    expect(maxAbsDiff(arr(back.w_out), w.data)).toBeLessThan(1e-6);
  });
});

/** Central differences of f at every entry of p (float64), step h. */
function numericGrad(p: M64, f: () => number, h = 1e-6): Float64Array {
  const g = new Float64Array(p.data.length);
  for (let i = 0; i < p.data.length; i++) {
    const old = p.data[i]!;
    p.data[i] = old + h;
    const up = f();
    p.data[i] = old - h;
    const down = f();
    p.data[i] = old;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
  return Math.sqrt(num / den);
};

describe('hand-derived gradients', () => {
  const rng = randn(2);
  const [n, k, d, r, s] = [9, 5, 4, 2, 2];
  const x = randomMatrix(n, k, rng), y = randomMatrix(n, d, rng), w = randomMatrix(d, k, rng);
  const a = randomMatrix(r, k, rng), b = randomMatrix(d, r, rng);

  it('LoRA: dA = s·(G·B)ᵀ·X and dB = s·Gᵀ·(X·Aᵀ) match central differences (float64)', () => {
    const [X, Y, W, A, B] = [x, y, w, a, b].map(to64) as [M64, M64, M64, M64, M64];
    const { dA, dB } = loraLossGrad(X, Y, W, A, B, s);
    const f = () => loraLoss(X, Y, W, A, B, s);
    expect(relErr(dA.data, numericGrad(A, f))).toBeLessThan(1e-7);
    expect(relErr(dB.data, numericGrad(B, f))).toBeLessThan(1e-7);
  });

  it('full: dW = 2/(N·d)·Eᵀ·X matches central differences (float64)', () => {
    const [X, Y, W] = [x, y, w].map(to64) as [M64, M64, M64];
    const { dW } = fullLossGrad(X, Y, W);
    expect(relErr(dW.data, numericGrad(W, () => fullLossGrad(X, Y, W).loss))).toBeLessThan(1e-7);
  });

  it('the gradient graphs compute those gradients', async () => {
    const [X, Y, W, A, B] = [x, y, w, a, b].map(to64) as [M64, M64, M64, M64, M64];
    const lora = await run(buildLoraGradients({ n, k, d, r }), { x: T(x), y: T(y), w: T(w), a: T(a), b: T(b), hp: V(hyperParameters(1, 'sgd', 1, s, 0)) });
    const ref = loraLossGrad(X, Y, W, A, B, s);
    expect(Math.abs(arr(lora.loss)[0]! - ref.loss) / ref.loss).toBeLessThan(1e-6);
    expect(relErr(arr(lora.dA), ref.dA.data)).toBeLessThan(1e-5);
    expect(relErr(arr(lora.dB), ref.dB.data)).toBeLessThan(1e-5);
    const full = await run(buildFullGradients({ n, k, d }), { x: T(x), y: T(y), w: T(w) });
    const fref = fullLossGrad(X, Y, W);
    expect(Math.abs(arr(full.loss)[0]! - fref.loss) / fref.loss).toBeLessThan(1e-6);
    expect(relErr(arr(full.dW), fref.dW.data)).toBeLessThan(1e-5);
  });
});

describe('unrolled training graphs against a float64 PyTorch-style loop', () => {
  const rng = randn(3);
  const [n, k, d, r, s] = [64, 8, 6, 2, 4];
  const x = randomMatrix(n, k, rng), w = randomMatrix(d, k, rng, 0.3);
  const y = randomMatrix(n, d, rng);
  const a = randomMatrix(r, k, rng, 0.1), b = randomMatrix(d, r, rng, 0.1);

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`LoRA ${optimizer}: 2 runs of K = 5 steps`, async () => {
      const K = 5, lr = optimizer === 'sgd' ? 0.05 : 0.01;
      const sess = await ort.InferenceSession.create(buildTrainLora({ n, k, d, r, steps: K, optimizer }).toBytes());
      const feeds: Record<string, ort.Tensor> = { x: T(x), y: T(y), w: T(w), a: T(a), b: T(b) };
      if (optimizer === 'adam') {
        for (const [name, m] of [['m_a', a], ['v_a', a], ['m_b', b], ['v_b', b]] as const)
          feeds[name] = T({ data: new Float32Array(m.data.length), rows: m.rows, cols: m.cols });
      }
      const got: number[] = [];
      for (let run = 0; run < 2; run++) {
        feeds.hp = V(hyperParameters(K, optimizer, lr, s, run * K));
        const out = await sess.run(feeds);
        got.push(...arr(out.losses).slice(0, K));
        feeds.a = out.a_out!; feeds.b = out.b_out!;
        if (optimizer === 'adam') for (const nm of ['m_a', 'v_a', 'm_b', 'v_b']) feeds[nm] = out[`${nm}_out`]!;
      }
      await sess.release();
      const [X, Y, W, A, B] = [x, y, w, a, b].map(to64) as [M64, M64, M64, M64, M64];
      const opt = new Optimizer64(optimizer, lr, [A.data.length, B.data.length]);
      for (let t = 0; t < 2 * K; t++) {
        const { loss, dA, dB } = loraLossGrad(X, Y, W, A, B, s);
        expect(Math.abs(got[t]! - loss) / loss).toBeLessThan(1e-5);
        opt.step([A, B], [dA, dB]);
      }
      expect(got[2 * K - 1]).toBeLessThan(got[0]!);
    });

    it(`full ${optimizer}: K = 3 steps, losses padded to 4`, async () => {
      const K = 3, lr = optimizer === 'sgd' ? 0.05 : 0.01;
      const feeds: Record<string, ort.Tensor> = { x: T(x), y: T(y), w: T(w), hp: V(hyperParameters(K, optimizer, lr, 0, 0)) };
      if (optimizer === 'adam') for (const nm of ['m_w', 'v_w']) feeds[nm] = T({ ...w, data: new Float32Array(w.data.length) });
      const out = await run(buildTrainFull({ n, k, d, steps: K, optimizer }), feeds);
      expect(out.losses!.dims).toEqual([4]);
      const [X, Y, W] = [x, y, w].map(to64) as [M64, M64, M64];
      const opt = new Optimizer64(optimizer, lr, [W.data.length]);
      for (let t = 0; t < K; t++) {
        const { loss, dW } = fullLossGrad(X, Y, W);
        expect(Math.abs(arr(out.losses)[t]! - loss) / loss).toBeLessThan(1e-5);
        opt.step([W], [dW]);
      }
      expect(maxAbsDiff(arr(out.w_out), W.data)).toBeLessThan(1e-5);
    });
  }
});
