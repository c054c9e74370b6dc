// The committed full fine-tuning run (demos/lm/results/full-run.json, by `npx tsx
// scripts/lm/default-run.ts --full`), which chapter 8 sets beside LoRA's default run to answer
// "comparable loss?", is what the engine computes: its first run of steps reproduces exactly, it
// was made with the script's options, and it trains the default run's data with every weight.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LmDemoFrame, LmDemoOptions } from '../../demos/lm/demo-run';
import { LanguageModelEngine } from '../../demos/lm/engine';
import { evaluateLoss } from '../../demos/lm/evaluate';
import { type LanguageModel, encode, parameterCount } from '../../demos/lm/model';
import { ROOT, loadModelDir } from '../../demos/test-support/lm';
import { trainLanguageModel } from '../../demos/lm/train';
import { DEFAULT_RUN_OPTIONS, runOptions } from '../../scripts/lm/default-run';

type Run = { options: LmDemoOptions; model_dir: string; frame: LmDemoFrame };
const read = (f: string) => JSON.parse(readFileSync(join(ROOT, 'demos/lm/results', f), 'utf8')) as Run;
const full = read('full-run.json');
const lora = read('default-run.json');
let engine: LanguageModelEngine;
let model: LanguageModel;

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(full.model_dir);
});
afterAll(() => engine.dispose());

describe('the committed full fine-tuning run', () => {
  const o = full.options;
  const f = full.frame;

  it('was made with the script’s --full options: the default run’s, every weight trained at its own rate', () => {
    expect(o).toEqual(runOptions(['--full']).options);
    expect(o.mode).toBe('full');
    const { mode: _f, lr: _l, ...same } = o;
    const { mode: _m, lr: _r, ...defaults } = DEFAULT_RUN_OPTIONS;
    expect(same).toEqual(defaults);
    expect(() => runOptions(['--full', '--lr', 'x'])).toThrow(/--lr must be a positive number/);
  });

  it('reproduces its first run of steps, from the same starting held-out loss as LoRA’s run', async () => {
    const tokens = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-train.txt'), 'utf8'));
    const K = o.stepsPerRun!;
    const r = await trainLanguageModel(engine, { model, tokens, mode: o.mode, lr: o.lr, steps: K, batch: o.batch, seed: o.seed, stepsPerRun: K });
    expect(Array.from(r.losses)).toEqual(f.trainLosses.slice(0, K));
    const val = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8'));
    expect(await evaluateLoss(engine, model, val, { windows: o.valWindows! })).toBe(f.valLosses[0]!.loss);
    expect(f.valLosses[0]!.loss).toBe(lora.frame.valLosses[0]!.loss);
  });

  it('is complete, and trained every weight', () => {
    expect(f.done).toBe(true);
    expect(f.trainLosses).toHaveLength(o.steps);
    expect(f.valLosses.map((v) => v.step)).toEqual(lora.frame.valLosses.map((v) => v.step));
    expect(f.trainableParameters).toBe(parameterCount(model.config));
    expect(f.trainingStateBytes).toBe(16 * parameterCount(model.config));
  });
});
