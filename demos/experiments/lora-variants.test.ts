// Chapter 10's committed side-by-side run (demos/lm/results/variants-run.json, by
// scripts/lm/beyond-lora-run.ts) is what the engine computes: the first run of steps of two
// variants (DoRA and QLoRA: a new layer and a new base) reproduces exactly, as do their starting
// held-out losses; the accounting agrees with variantFacts; and bad settings name their control.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingError } from '../errors';
import { LanguageModelEngine } from '../lm/engine';
import { evaluateLoss } from '../lm/evaluate';
import { type LanguageModel, encode } from '../lm/model';
import { trainVariant, variantFacts } from '../lm/variants/prepare';
import { LANGUAGE_MODEL_FILES } from '../lm/files';
import { ROOT, loadModelDir } from '../test-support/lm';
import { createEngine } from '../index';
import { loraVariants, loraVariantsBuildResult, variantOf } from './lora-variants';
import type { LoraVariantsResult } from './types';

const run = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'lm', 'results', 'variants-run.json'), 'utf8')) as LoraVariantsResult;
let engine: LanguageModelEngine;
let model: LanguageModel;
const text = (p: string) => readFileSync(join(ROOT, 'public', p), 'utf8');

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(join('public', LANGUAGE_MODEL_FILES.modelDir));
});
afterAll(() => engine.dispose());

describe('the committed side-by-side run', () => {
  const s = run.settings;
  const task = LANGUAGE_MODEL_FILES.tasks[s.task];

  for (const id of ['dora', 'qlora'] as const) {
    it(`reproduces ${id}'s first run of steps and its starting held-out loss`, async () => {
      const row = run.rows.find((r) => r.id === id)!;
      const K = s.stepsPerRun;
      const r = await trainVariant(engine, { model, variant: variantOf(id, s), tokens: encode(model, text(task.train)), lr: s.lr, steps: K, batch: s.batch, seed: s.seed, stepsPerRun: K });
      expect(Array.from(r.losses)).toEqual(row.trainLosses.slice(0, K));
      const val = encode(model, text(task.val));
      expect(await evaluateLoss(engine, r.prepared.base, val, { windows: s.valWindows }, r.prepared.adapter)).toBe(row.valBefore);
    });
  }

  it('is complete, and its accounting is variantFacts', async () => {
    expect(run.rows.map((r) => r.id)).toEqual(s.variants);
    for (const row of run.rows) {
      expect(row.trainLosses).toHaveLength(s.steps);
      expect(row.valAfter).toBeLessThan(row.valBefore);
      const f = variantFacts(model, variantOf(row.id, s));
      expect([row.trainableParameters, row.savedParameters, row.baseWeightBytes]).toEqual([f.trainableParameters, f.savedParameters, f.baseWeightBytes]);
      expect(row.msPerStep).toBeGreaterThan(0);
    }
    // QLoRA's quantised base costs loss before training; PiSSA's residual + principal part is W again.
    const by = (id: string) => run.rows.find((r) => r.id === id)!;
    expect(by('qlora').valBefore).toBeGreaterThan(by('lora').valBefore);
    expect(Math.abs(by('pissa').valBefore - by('lora').valBefore)).toBeLessThan(1e-4);
    expect(by('pissa').savedParameters).toBe(2 * by('pissa').trainableParameters);
    const built = await loraVariantsBuildResult();
    expect(built.rows).toEqual(run.rows);
  });
});

describe('loraVariants', () => {
  it('names the setting at fault', async () => {
    const e = await createEngine({ backend: 'wasm' });
    try {
      await expect(loraVariants(e, { variants: [] })).rejects.toSatisfy((x: unknown) => x instanceof SettingError && x.setting === 'variants');
      await expect(loraVariants(e, { loraplusRatio: 0 })).rejects.toSatisfy((x: unknown) => x instanceof SettingError && x.setting === 'loraplusRatio');
    } finally {
      await e.dispose();
    }
  });
});
