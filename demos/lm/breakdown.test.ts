// Issue 15, item 3: a run that saturates without a NaN (the loss pinned at ln V, the logits all
// zero) stops as a divergence does, with its step; normal runs are never flagged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingBrokeDownError, TrainingDivergedError } from '../errors';
import { pinnedFrom } from '../train-loop';
import { LanguageModelEngine } from './engine';
import { LANGUAGE_MODEL_FILES, PUBLIC_DIR } from './files';
import { type LanguageModel, type TargetModule, encode } from './model';
import { ROOT, loadModelDir } from '../test-support/lm';
import { breakdownOf, trainLanguageModel } from './train';

let engine: LanguageModelEngine;
let model: LanguageModel;
let tokens: number[];
const MLP: TargetModule[] = ['gate_proj', 'up_proj', 'down_proj'];

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir));
  tokens = encode(model, readFileSync(join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.tasks.devil.train), 'utf8'));
});
afterAll(() => engine.dispose());

describe('a run that breaks down without a NaN', () => {
  it.each([
    ['lr=10 alpha=10000 rank=1 targets=mlp (α/r)', 1, false],
    ['rank 128 with α/√r', 128, true],
  ] as const)('%s stops at step 2, where the loss reaches ln 84', async (_, rank, useRslora) => {
    const e = await trainLanguageModel(engine, { model, tokens, mode: { targets: MLP, rank, alpha: 10000, useRslora }, lr: 10, steps: 40, batch: 8, seed: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TrainingBrokeDownError);
    expect(e).toBeInstanceOf(TrainingDivergedError); // the site's divergence path takes it
    const err = e as TrainingBrokeDownError;
    expect(model.config.vocabSize).toBe(84);
    expect(err.step).toBe(2);
    expect(err.losses).toHaveLength(2 + breakdownOf(84).steps);
    for (const l of err.losses.slice(2)) expect(l).toBeCloseTo(Math.log(84), 4);
    expect(Number.isFinite(err.losses[1]!)).toBe(true);
    expect(err.message).toMatch(/broke down at step 2: the training loss stayed at ln 84 = 4\.4308/);
  });
});

describe('normal runs are not flagged', () => {
  it('the committed default run (300 steps) and the PEFT fixture run never sit at ln V', () => {
    const b = breakdownOf(84);
    const run = JSON.parse(readFileSync(join(import.meta.dirname, 'results', 'default-run.json'), 'utf8')) as { frame: { trainLosses: number[] } };
    const peft = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'peft-adapter', 'metrics.json'), 'utf8')) as { train_losses: number[] };
    expect(run.frame.trainLosses).toHaveLength(300);
    expect(pinnedFrom(run.frame.trainLosses, b)).toBe(-1);
    expect(pinnedFrom(peft.train_losses, b)).toBe(-1);
  });

  it('needs the loss pinned for several steps in a row, not once', () => {
    const b = breakdownOf(84);
    const ln = Math.log(84);
    expect(pinnedFrom([2, ln, 2, ln, ln, 2], b)).toBe(-1);
    expect(pinnedFrom([2, 2.1, ln, ln + 1e-5, ln], b)).toBe(2);
    expect(pinnedFrom([ln + 0.01, ln + 0.01, ln + 0.01], b)).toBe(-1);
  });

  it('a high but sane learning rate trains on', async () => {
    const r = await trainLanguageModel(engine, { model, tokens, mode: { targets: MLP, rank: 4, alpha: 8, useRslora: false }, lr: 3e-2, steps: 20, batch: 4, seed: 0 });
    expect(r.losses).toHaveLength(20);
    expect(pinnedFrom(r.losses, breakdownOf(84))).toBe(-1);
  });
});
