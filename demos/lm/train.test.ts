// Adapter gradients of the committed model against torch autograd (peft), a few Adam and SGD steps
// against torch.optim (fixtures by scripts/lm/make_fixtures.py), and the typed errors of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingError, TrainingDivergedError } from '../errors';
import { MAX_LM_BATCH, MAX_LM_STEPS } from './defaults';
import { LanguageModelEngine } from './engine';
import { type Adapter, type LanguageModel, encode } from './model';
import { fixtureAdapter, fixtureSpec, loadModelDir, loadReference, relativeError } from '../test-support/lm';
import { adapterGradients, trainLanguageModel } from './train';

const ref = loadReference();
let engine: LanguageModelEngine;
let model: LanguageModel;

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(ref.model_dir);
});
afterAll(() => engine.dispose());

const flat = (a: Adapter, which: 'a' | 'b'): Float32Array => Float32Array.from(a.modules.flatMap((m) => Array.from(m[which].data)));

describe('LoRA gradients and training against PyTorch', () => {
  it('∂L/∂A and ∂L/∂B on all seven module kinds equal torch autograd within 1e-4 relative', async () => {
    const adapter = fixtureAdapter(model, ref.lora);
    const { loss, grad } = await adapterGradients(engine, model, { x: ref.x, y: ref.y, batch: ref.batch, context: ref.context }, adapter);
    const want = fixtureAdapter(model, ref.lora, ref.lora.grad);
    expect(Math.abs(loss - ref.lora.loss) / ref.lora.loss).toBeLessThan(1e-4);
    for (let i = 0; i < want.modules.length; i++) {
      expect(relativeError(grad.modules[i]!.a.data, want.modules[i]!.a.data), want.modules[i]!.path).toBeLessThan(1e-3);
      expect(relativeError(grad.modules[i]!.b.data, want.modules[i]!.b.data), want.modules[i]!.path).toBeLessThan(1e-3);
    }
    expect(relativeError(flat(grad, 'a'), flat(want, 'a'))).toBeLessThan(1e-4);
    expect(relativeError(flat(grad, 'b'), flat(want, 'b'))).toBeLessThan(1e-4);
  });

  for (const opt of ['adam', 'sgd'] as const) {
    it(`${opt}: four steps (two runs of two unrolled steps) match torch.optim`, async () => {
      const f = opt === 'adam' ? ref.train_adam : ref.train_sgd;
      const T = ref.context;
      const batches = (step: number) => {
        const b = step % 2;
        return { x: ref.x.slice(b * T, (b + 1) * T), y: ref.y.slice(b * T, (b + 1) * T), batch: 1, context: T };
      };
      const r = await trainLanguageModel(engine, {
        model, tokens: [], mode: fixtureSpec(f), adapter: fixtureAdapter(model, f), optimizer: opt,
        lr: f.lr, steps: f.steps, batch: 1, context: T, stepsPerRun: 2, batches,
      });
      expect(relativeError(r.losses, f.losses)).toBeLessThan(1e-4);
      const want = fixtureAdapter(model, f, f.final);
      expect(relativeError(flat(r.adapter!, 'a'), flat(want, 'a'))).toBeLessThan(1e-4);
      expect(relativeError(flat(r.adapter!, 'b'), flat(want, 'b'))).toBeLessThan(1e-4);
      // training moved B away from its start by far more than the tolerance
      expect(relativeError(flat(fixtureAdapter(model, f), 'b'), flat(want, 'b'))).toBeGreaterThan(1e-2);
    });
  }
});

describe('full fine-tuning, for comparison', () => {
  it('trains every weight, counts them, and lowers the loss on a repeated batch', async () => {
    const T = 32;
    const batches = () => ({ x: ref.x.slice(0, T), y: ref.y.slice(0, T), batch: 1, context: T });
    const r = await trainLanguageModel(engine, { model, tokens: [], mode: 'full', lr: 1e-3, steps: 4, batch: 1, context: T, stepsPerRun: 2, batches });
    expect(r.trainableParameters).toBe(Array.from(model.weights.values()).reduce((n, w) => n + w.data.length, 0));
    expect(r.trainingStateBytes).toBe(16 * r.trainableParameters);
    expect(r.losses[3]).toBeLessThan(r.losses[0]!);
    const w0 = model.weights.get('model.embed_tokens.weight')!.data;
    const w1 = r.model!.weights.get('model.embed_tokens.weight')!.data;
    expect(relativeError(w1, w0)).toBeGreaterThan(1e-4);
  });
});

describe('bad input gets typed errors', () => {
  const tokens = () => encode(model, 'It is a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife.');
  const spec = { targets: ['q_proj' as const, 'v_proj' as const], rank: 4, alpha: 8, useRslora: false };
  const base = () => ({ model, tokens: tokens(), mode: spec, lr: 1e-3, steps: 2, batch: 2, context: 16 });
  const cases: [string, Record<string, unknown>, string][] = [
    ['no target module', { mode: { ...spec, targets: [] } }, 'targets'],
    ['an unknown target module', { mode: { ...spec, targets: ['qkv'] } }, 'targets'],
    ['rank 0', { mode: { ...spec, rank: 0 } }, 'rank'],
    ['rank above the layer width', { mode: { ...spec, rank: 129 } }, 'rank'],
    ['α ≤ 0', { mode: { ...spec, alpha: 0 } }, 'alpha'],
    ['lr ≤ 0', { lr: 0 }, 'lr'],
    ['lr not finite', { lr: Number.NaN }, 'lr'],
    ['too many steps', { steps: MAX_LM_STEPS + 1 }, 'steps'],
    ['batch too large', { batch: MAX_LM_BATCH + 1 }, 'batch'],
    ['batch 0', { batch: 0 }, 'batch'],
  ];
  for (const [name, patch, code] of cases) {
    it(name, async () => {
      const e = await trainLanguageModel(engine, { ...base(), ...patch } as never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SettingError);
      expect((e as SettingError).code).toBe(code);
    });
  }

  it('a prompt with characters outside the vocabulary names them', () => {
    const e = (() => { try { encode(model, 'naïve — café'); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(SettingError);
    expect((e as SettingError).code).toBe('vocabulary');
    expect((e as Error).message).toContain('"ï"');
    expect((e as Error).message).toContain('"—"');
  });

  it('divergence stops with its step', async () => {
    const e = await trainLanguageModel(engine, { ...base(), mode: 'full', lr: 1e37, optimizer: 'sgd', steps: 6, stepsPerRun: 2 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainingDivergedError);
    const d = e as TrainingDivergedError;
    expect(Number.isFinite(d.losses[d.step]!)).toBe(false);
  });

  it('an aborted signal stops training with an AbortError', async () => {
    const ac = new AbortController();
    const e = await trainLanguageModel(engine, { ...base(), steps: 6, stepsPerRun: 2, signal: ac.signal, onProgress: () => ac.abort() }).catch((x: unknown) => x);
    expect((e as Error).name).toBe('AbortError');
  });
});

describe('a demo run', () => {
  it('refreshes held-out loss and samples, and the adapted sample departs from the base one', async () => {
    const { runLanguageModelDemo } = await import('./demo-run');
    const frames: number[] = [];
    const train = 'ABSURDITY, n. A statement or belief manifestly inconsistent with one\'s own opinion.\n\n'.repeat(8);
    const r = await runLanguageModelDemo(engine, model, { train, val: train }, {
      mode: { targets: ['q_proj', 'v_proj'], rank: 4, alpha: 8, useRslora: false }, lr: 1e-2, steps: 8, batch: 2, seed: 1,
      prompt: 'A', sampleLength: 12, temperature: 0, refreshEvery: 4, stepsPerRun: 4, valWindows: 2,
    }, (f) => { frames.push(f.step); });
    expect(frames).toEqual([4, 8, 8]);
    expect(r.valLosses.map((v) => v.step)).toEqual([0, 4, 8]);
    expect(r.valLosses[2]!.loss).toBeLessThan(r.valLosses[0]!.loss);
    expect(r.trainableParameters).toBe(4 * 2 * 4 * 256);
    expect(r.adaptedSample).toHaveLength(12);
    expect(r.adaptedSample).not.toBe(r.baseSample);
    expect(r.done).toBe(true);
  });
});
