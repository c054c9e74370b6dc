// Chapter 9's measurements: the held-out loss per window agrees with the engine's own loss graph,
// standard errors are the textbook ones, and the memory walk counts what the graph holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageModelEngine } from './engine';
import { evaluateLoss } from './evaluate';
import { type LanguageModel, type LoraSpec, adapterParameterCount, encode, parameterCount } from './model';
import { heldOut, meanAndSe, nf4FrozenBytes, pairedDifference, trainingMemory } from './practice';
import { ROOT, loadModelDir } from '../test-support/lm';

describe('standard errors', () => {
  it('mean and standard error of a list (sample variance over n)', () => {
    const { mean, se } = meanAndSe([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(se).toBeCloseTo(Math.sqrt(5 / 3 / 4), 15);
  });
  it('a paired difference cancels what the windows share', () => {
    const a = { loss: 0, se: 0, windows: [1, 5, 9, 13] };
    const b = { loss: 0, se: 0, windows: [0.5, 4.5, 8.5, 12.5] };
    expect(pairedDifference(a, b)).toEqual({ diff: 0.5, se: 0 });
    expect(() => pairedDifference(a, { ...b, windows: [1] })).toThrow(/same windows/);
  });
});

describe('held-out loss per window', () => {
  let engine: LanguageModelEngine;
  let model: LanguageModel;
  beforeAll(async () => {
    engine = await LanguageModelEngine.create({ backend: 'wasm' });
    model = loadModelDir('public/models/austen-char-llama');
  });
  afterAll(() => engine.dispose());

  it('its mean is the engine’s held-out loss on the same windows (float32 graph vs float64 here)', async () => {
    const val = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8'));
    const h = await heldOut(engine, model, val, 8);
    expect(h.windows).toHaveLength(8);
    expect(Math.abs(h.loss - (await evaluateLoss(engine, model, val, { windows: 8 })))).toBeLessThan(1e-5);
    expect(h.se).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a window count it cannot use, naming the setting', async () => {
    await expect(heldOut(engine, model, [1, 2, 3], 1)).rejects.toMatchObject({ setting: 'valWindows' });
  });
});

describe('memory of a training step, from the graph', () => {
  const model = loadModelDir('public/models/austen-char-llama');
  const c = model.config;
  const qv: LoraSpec = { targets: ['q_proj', 'v_proj'], rank: 8, alpha: 16, useRslora: false };

  it('counts parameters, gradients and Adam’s state from the trained parameters', () => {
    const m = trainingMemory(c, qv, 2, 16);
    const p = adapterParameterCount(c, qv);
    expect(m).toMatchObject({ frozen: 4 * parameterCount(c), trainable: 4 * p, gradients: 4 * p, optimizer: 8 * p, input: 0 });
    const f = trainingMemory(c, 'full', 2, 16);
    expect(f).toMatchObject({ frozen: 0, trainable: 4 * parameterCount(c), gradients: 4 * parameterCount(c), input: 4 * 2 * 16 * c.vocabSize });
  });

  it('activations grow linearly with the batch, and full fine-tuning keeps at least what LoRA keeps', () => {
    for (const mode of [qv, 'full'] as const) {
      const one = trainingMemory(c, mode, 1, 16).activations;
      expect(one).toBeGreaterThan(0);
      expect(trainingMemory(c, mode, 3, 16).activations).toBe(3 * one);
    }
    expect(trainingMemory(c, 'full', 2, 16).activations).toBeGreaterThanOrEqual(trainingMemory(c, qv, 2, 16).activations);
  });

  it('keeps the attention probabilities of every layer above the lowest adapter (B·H·T² floats each)', () => {
    // Adapters only in the MLP leave attention's backward needing softmax outputs in every layer
    // (the adapters of the lower layers are reached through the upper layers' attention).
    const mlp: LoraSpec = { targets: ['down_proj'], rank: 1, alpha: 1, useRslora: false };
    const [B, T] = [1, 32];
    const small = trainingMemory(c, mlp, B, T).activations;
    const longer = trainingMemory(c, mlp, B, 2 * T).activations;
    // Doubling T doubles every (B·T, ·) tensor and quadruples every (B, H, T, T) one: the
    // difference longer − 2·small is 2 × the attention-sized part, which must be present.
    expect(longer - 2 * small).toBeGreaterThanOrEqual(2 * 4 * B * c.numHeads * T * T * (c.numLayers - 1));
  });

  it('stores NF4 at 4.5 bits per decoder linear weight', () => {
    const linear = c.numLayers * (4 * c.hiddenSize ** 2 + 3 * c.hiddenSize * c.intermediateSize);
    expect(nf4FrozenBytes(c)).toBe(linear * (4.5 / 8) + 4 * (parameterCount(c) - linear));
  });

  it('refuses a batch or context it cannot use, naming the setting', () => {
    expect(() => trainingMemory(c, qv, 0, 16)).toThrow(expect.objectContaining({ setting: 'batch' }));
    expect(() => trainingMemory(c, qv, 1, 1)).toThrow(expect.objectContaining({ setting: 'context' }));
  });
});
