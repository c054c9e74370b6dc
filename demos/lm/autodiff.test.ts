// Every gradient rule of the Tape, and their composition through a tiny LLaMA with LoRA, against
// central finite differences in float64 (the graphs are run in double by onnxruntime).
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/builder';
import { randn } from '../test-support/float64';
import { Tape, type Tensor } from './autodiff';
import { DoubleGraph } from '../test-support/double';
import { adapterInputs, buildForward, doraLinear, weightInputs } from './graph';
import { type LlamaConfig, type LoraSpec, moduleScaling } from './model';

type Feed = { data: Float64Array; shape: readonly number[] };
const numel = (s: readonly number[]): number => s.reduce((n, d) => n * d, 1);

/**
 * Build loss = Σ f(inputs) ⊙ R (R fixed random) with the tape's gradients as outputs, then compare
 * each gradient entry with (L(x + h) − L(x − h)) / 2h.
 */
async function checkGradients(
  build: (t: Tape) => { out: Tensor; wrt: Tensor[]; feeds: Record<string, Feed> },
  opts: { h?: number; maxEntries?: number } = {},
): Promise<number> {
  const g = new GraphBuilder('grad_check');
  const t = new Tape(g);
  const { out, wrt, feeds } = build(t);
  const rng = randn(99);
  const r = t.constant(Array.from({ length: numel(out.shape) }, rng), [...out.shape]);
  const loss = t.sumAll(t.mul(out, r));
  g.output(loss.name, 'loss', []);
  t.grad(loss, wrt).forEach((name, i) => g.output(name, `grad_${i}`, [...wrt[i]!.shape]));
  const graph = await DoubleGraph.create(g);
  const base = await graph.run(feeds);
  const h = opts.h ?? 1e-5;
  let worst = 0;
  for (let i = 0; i < wrt.length; i++) {
    const name = wrt[i]!.name;
    const x = feeds[name]!;
    const analytic = base[`grad_${i}`]!;
    const n = Math.min(x.data.length, opts.maxEntries ?? Infinity);
    const scaleRef = Math.max(1e-3, ...Array.from(analytic, Math.abs));
    for (let j = 0; j < n; j++) {
      const idx = Math.floor((j * x.data.length) / n);
      const plus = Float64Array.from(x.data);
      const minus = Float64Array.from(x.data);
      plus[idx]! += h;
      minus[idx]! -= h;
      const lp = (await graph.run({ ...feeds, [name]: { data: plus, shape: x.shape } })).loss![0]!;
      const lm = (await graph.run({ ...feeds, [name]: { data: minus, shape: x.shape } })).loss![0]!;
      const numeric = (lp - lm) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic[idx]!) / scaleRef);
    }
  }
  await graph.release();
  return worst;
}

function feed(shape: number[], seed: number, transform: (v: number) => number = (v) => v): Feed {
  const rng = randn(seed);
  return { data: Float64Array.from({ length: numel(shape) }, () => transform(rng())), shape };
}

/** Inputs named a, b, … with the given shapes, all differentiable. */
function inputs(t: Tape, shapes: number[][], transform?: (v: number) => number): { xs: Tensor[]; feeds: Record<string, Feed> } {
  const feeds: Record<string, Feed> = {};
  const xs = shapes.map((s, i) => {
    const name = String.fromCharCode(97 + i);
    feeds[name] = feed(s, i + 1, transform);
    return t.input(name, s, true);
  });
  return { xs, feeds };
}

const TOL = 1e-7;

describe('gradient rules against central finite differences (float64)', () => {
  const unary: [string, (t: Tape, x: Tensor) => Tensor, ((v: number) => number)?][] = [
    ['sqrt', (t, x) => t.sqrt(x), (v) => 1 + Math.abs(v)],
    ['sigmoid', (t, x) => t.sigmoid(x)],
    ['softmax', (t, x) => t.softmax(x)],
    ['logSoftmax', (t, x) => t.logSoftmax(x)],
    ['reduceMean (last axis)', (t, x) => t.reduceMean(x, [2])],
    ['reduceMean (two axes)', (t, x) => t.reduceMean(x, [0, 2])],
    ['sumAll', (t, x) => t.sumAll(x)],
    ['scale', (t, x) => t.scale(x, -0.7)],
    ['transpose', (t, x) => t.transpose(x, [2, 0, 1])],
    ['reshape', (t, x) => t.reshape(x, [6, 4])],
    ['swapHalves', (t, x) => t.swapHalves(x)],
  ];
  for (const [name, f, transform] of unary) {
    it(name, async () => {
      const worst = await checkGradients((t) => {
        const { xs, feeds } = inputs(t, [[2, 3, 4]], transform);
        return { out: f(t, xs[0]!), wrt: xs, feeds };
      });
      expect(worst).toBeLessThan(TOL);
    });
  }

  const binary: [string, number[][], (t: Tape, a: Tensor, b: Tensor) => Tensor, ((v: number) => number)?][] = [
    ['add (broadcast of a vector)', [[2, 3, 4], [4]], (t, a, b) => t.add(a, b)],
    ['add (broadcast of a column)', [[2, 3, 4], [2, 3, 1]], (t, a, b) => t.add(a, b)],
    ['sub (broadcast)', [[3, 4], [1, 4]], (t, a, b) => t.sub(a, b)],
    ['mul (broadcast)', [[2, 3, 4], [3, 4]], (t, a, b) => t.mul(a, b)],
    ['div (broadcast)', [[2, 3, 4], [2, 3, 1]], (t, a, b) => t.div(a, b), (v) => 1 + Math.abs(v)],
    ['matmul (batched, same rank)', [[2, 3, 4], [2, 4, 5]], (t, a, b) => t.matmul(a, b)],
    ['matmul (batched by a shared 2-D matrix)', [[2, 3, 4], [4, 5]], (t, a, b) => t.matmul(a, b)],
    ['linear x·Wᵀ', [[3, 4], [5, 4]], (t, a, b) => t.linear(a, b)],
  ];
  for (const [name, shapes, f, transform] of binary) {
    it(name, async () => {
      const worst = await checkGradients((t) => {
        const { xs, feeds } = inputs(t, shapes, transform);
        return { out: f(t, xs[0]!, xs[1]!), wrt: xs, feeds };
      });
      expect(worst).toBeLessThan(TOL);
    });
  }

  it('a tensor used twice accumulates both gradients (x ⊙ σ(x), SiLU)', async () => {
    const worst = await checkGradients((t) => {
      const { xs, feeds } = inputs(t, [[3, 4]]);
      return { out: t.mul(xs[0]!, t.sigmoid(xs[0]!)), wrt: xs, feeds };
    });
    expect(worst).toBeLessThan(TOL);
  });
});

describe('DoRA: the layer with its norm held constant (as PEFT detaches it), against finite differences (float64)', () => {
  // y = x Wᵀ + (m/n − 1) ⊙ x Wᵀ + (m/n) ⊙ s·(x Aᵀ) Bᵀ with n a fixed input: the function PEFT's
  // gradient is the true gradient of. ∂/∂x, ∂/∂A, ∂/∂B and ∂/∂m; W is differentiated too (full rule).
  it('∂/∂x, ∂/∂W, ∂/∂A, ∂/∂B, ∂/∂m', async () => {
    const worst = await checkGradients((t) => {
      const { xs, feeds } = inputs(t, [[5, 6], [4, 6], [3, 6], [4, 3], [4]]);
      const [x, w, a, b, m] = xs as [Tensor, Tensor, Tensor, Tensor, Tensor];
      feeds.n = feed([4], 50, (v) => 1.5 + Math.abs(v));
      const n = t.input('n', [4]);
      return { out: doraLinear(t, x, w, a, b, m, 0.7, n), wrt: xs, feeds };
    });
    expect(worst).toBeLessThan(TOL);
  });
});

describe('composition: a tiny LLaMA with LoRA, loss gradient against finite differences (float64)', () => {
  const c: LlamaConfig = { vocabSize: 7, hiddenSize: 8, intermediateSize: 12, numLayers: 2, numHeads: 2, maxPositions: 4, rmsNormEps: 1e-5, ropeTheta: 10000 };
  const B = 2;
  const T = 4;
  const spec: LoraSpec = { targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'down_proj'], rank: 2, alpha: 4, useRslora: false };
  const oneHot = (ids: number[]): Feed => {
    const d = new Float64Array(ids.length * c.vocabSize);
    ids.forEach((id, i) => (d[i * c.vocabSize + id] = 1));
    return { data: d, shape: [ids.length, c.vocabSize] };
  };

  function build(t: Tape, full: boolean): { out: Tensor; wrt: Tensor[]; feeds: Record<string, Feed> } {
    const weights = weightInputs(t, c, full);
    const lora = full ? undefined : { tensors: adapterInputs(t, c, spec), spec };
    const x = t.input('x', [B * T, c.vocabSize]);
    const y = t.input('y', [B * T, c.vocabSize]);
    const { loss } = buildForward(t, c, { batch: B, context: T }, weights, x, y, lora);
    const feeds: Record<string, Feed> = { x: oneHot([1, 4, 2, 6, 0, 3, 3, 5]), y: oneHot([4, 2, 6, 1, 3, 3, 5, 0]) };
    let seed = 10;
    for (const [name, w] of weights) feeds[name] = feed([...w.shape], seed++, (v) => (name.endsWith('norm.weight') ? 1 + 0.1 * v : 0.4 * v));
    const wrt: Tensor[] = [];
    if (lora) {
      for (const { a, b } of lora.tensors.values()) {
        feeds[a.name] = feed([...a.shape], seed++, (v) => 0.3 * v);
        feeds[b.name] = feed([...b.shape], seed++, (v) => 0.3 * v);
        wrt.push(a, b);
      }
    } else wrt.push(...weights.values());
    // The loss itself is the scalar to differentiate: Σ loss·R with a scalar R.
    return { out: loss!, wrt, feeds };
  }

  it('∂L/∂A and ∂L/∂B of every adapted module', async () => {
    expect(await checkGradients((t) => build(t, false), { maxEntries: 6 })).toBeLessThan(1e-6);
  });

  it('DoRA with rank and alpha patterns: ∂L/∂A, ∂L/∂B, ∂L/∂m of every module (norms held at their values)', async () => {
    const dora: LoraSpec = {
      targets: ['q_proj', 'k_proj', 'up_proj', 'down_proj'], rank: 2, alpha: 4, useRslora: false, useDora: true,
      rankPattern: { k_proj: 1, 'layers.1.mlp.down_proj': 3 }, alphaPattern: { 'up_proj': 1.5 },
    };
    const worst = await checkGradients((t) => {
      const weights = weightInputs(t, c, false);
      const tensors = adapterInputs(t, c, dora);
      const feeds: Record<string, Feed> = { x: oneHot([1, 4, 2, 6, 0, 3, 3, 5]), y: oneHot([4, 2, 6, 1, 3, 3, 5, 0]) };
      let seed = 40;
      for (const [name, w] of weights) feeds[name] = feed([...w.shape], seed++, (v) => (name.endsWith('norm.weight') ? 1 + 0.1 * v : 0.4 * v));
      const wrt: Tensor[] = [];
      for (const [path, e] of tensors) {
        feeds[e.a.name] = feed([...e.a.shape], seed++, (v) => 0.3 * v);
        feeds[e.b.name] = feed([...e.b.shape], seed++, (v) => 0.3 * v);
        feeds[e.m!.name] = feed([...e.m!.shape], seed++, (v) => 1 + 0.2 * v);
        // The norm ‖W + s·B·A‖ per output row at these values, fed as a constant input.
        const W = feeds[`${path}.weight`]!;
        const [out, inp] = W.shape as [number, number];
        const r = e.a.shape[0]!;
        const s = moduleScaling(dora, path);
        const n = new Float64Array(out);
        for (let i = 0; i < out; i++) {
          let sq = 0;
          for (let j = 0; j < inp; j++) {
            let ba = 0;
            for (let k = 0; k < r; k++) ba += feeds[e.b.name]!.data[i * r + k]! * feeds[e.a.name]!.data[k * inp + j]!;
            sq += (W.data[i * inp + j]! + s * ba) ** 2;
          }
          n[i] = Math.sqrt(sq);
        }
        feeds[`${path}.norm`] = { data: n, shape: [out] };
        e.norm = t.input(`${path}.norm`, [out]);
        wrt.push(e.a, e.b, e.m!);
      }
      const x = t.input('x', [B * T, c.vocabSize]);
      const y = t.input('y', [B * T, c.vocabSize]);
      const { loss } = buildForward(t, c, { batch: B, context: T }, weights, x, y, { tensors, spec: dora });
      return { out: loss!, wrt, feeds };
    }, { maxEntries: 4 });
    expect(worst).toBeLessThan(1e-6);
  });

  it('∂L/∂W of every weight (full fine-tuning)', async () => {
    expect(await checkGradients((t) => build(t, true), { maxEntries: 4 })).toBeLessThan(1e-6);
  });
});
