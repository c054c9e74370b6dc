// The committed default run (demos/lm/results/default-run.json, by scripts/lm/default-run.ts) is what
// the engine computes: its first run of steps reproduces exactly, and its numbers hang together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmDemoFrame, LmDemoOptions } from './demo-run';
import { LanguageModelEngine } from './engine';
import { evaluateLoss } from './evaluate';
import { type LanguageModel, type LoraSpec, adapterParameterCount, encode } from './model';
import { ROOT, loadModelDir } from '../test-support/lm';
import { trainLanguageModel } from './train';

const run = JSON.parse(readFileSync(join(import.meta.dirname, 'results', 'default-run.json'), 'utf8')) as { options: LmDemoOptions; model_dir: string; frame: LmDemoFrame };
let engine: LanguageModelEngine;
let model: LanguageModel;

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(run.model_dir);
});
afterAll(() => engine.dispose());

describe('the committed default run', () => {
  const o = run.options;
  const f = run.frame;

  it('reproduces its first run of steps and its starting held-out loss', async () => {
    const tokens = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-train.txt'), 'utf8'));
    const K = o.stepsPerRun!;
    const r = await trainLanguageModel(engine, { model, tokens, mode: o.mode, lr: o.lr, steps: K, batch: o.batch, seed: o.seed, stepsPerRun: K });
    expect(Array.from(r.losses)).toEqual(f.trainLosses.slice(0, K));
    const val = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8'));
    expect(await evaluateLoss(engine, model, val, { windows: o.valWindows! })).toBe(f.valLosses[0]!.loss);
  });

  it('is complete and consistent', () => {
    expect(f.done).toBe(true);
    expect(f.trainLosses).toHaveLength(o.steps);
    expect(f.valLosses.map((v) => v.step)).toEqual([0, ...Array.from({ length: o.steps / o.refreshEvery }, (_, i) => (i + 1) * o.refreshEvery)]);
    expect(f.valLosses.at(-1)!.loss).toBeLessThan(f.valLosses[0]!.loss);
    expect(f.trainableParameters).toBe(adapterParameterCount(model.config, o.mode as LoraSpec));
    expect(f.adaptedSample).toHaveLength(o.sampleLength);
    expect(f.adaptedSample).not.toBe(f.baseSample);
  });
});
