// Chapter 10's merging lab in Node: the committed default combination (demos/lm/results/
// arithmetic-run.json) reproduces its held-out losses; cat is the exact weighted sum of the two
// task adapters and linear is not (its cross terms); the combined adapter's files read back as a
// PEFT adapter; a bad setting names its control.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingError } from '../errors';
import { readPeftAdapter } from '../peft/index';
import { ROOT } from '../test-support/lm';
import { createEngine } from '../index';
import type { Engine } from '../types';
import { adapterArithmetic } from './adapter-arithmetic';
import type { AdapterArithmeticResult, FileSource } from './types';

const disk: FileSource = { read: async (path) => new Uint8Array(readFileSync(join(ROOT, 'public', path))) };
const run = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'lm', 'results', 'arithmetic-run.json'), 'utf8')) as AdapterArithmeticResult;
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(() => engine.dispose());

describe('adapterArithmetic', () => {
  it('reproduces the committed default combination (losses, deviation, rank)', async () => {
    const r = await adapterArithmetic(engine, { ...run.settings, sampleLength: 1, root: '/' }, { files: disk });
    expect(r.rows.map((x) => x.adapter)).toEqual(run.rows.map((x) => x.adapter));
    expect(r.rows.map((x) => x.valLoss)).toEqual(run.rows.map((x) => x.valLoss));
    expect(r.combined.rank).toBe(run.combined.rank);
    expect(r.combined.relativeDeviation).toBeCloseTo(run.combined.relativeDeviation, 10);
    // Each task's own adapter beats the base on its task.
    const loss = (a: string, k: number) => run.rows.find((x) => x.adapter === a)!.valLoss[k]!;
    expect(loss('devil', 0)).toBeLessThan(loss('base', 0));
    expect(loss('sotu', 1)).toBeLessThan(loss('base', 1));
  });

  it('cat is the exact weighted sum, linear has cross terms, svd truncates; the result is a PEFT adapter', async () => {
    const cat = await adapterArithmetic(engine, { combination: 'cat', weights: [1, -0.5], sampleLength: 1, valWindows: 1 }, { files: disk });
    expect(cat.combined.relativeDeviation).toBeLessThan(1e-6);
    expect(cat.combined.rank).toBe(16);
    const linear = await adapterArithmetic(engine, { combination: 'linear', weights: [1, -0.5], sampleLength: 1, valWindows: 1 }, { files: disk });
    expect(linear.combined.relativeDeviation).toBeGreaterThan(1e-2);
    const svd = await adapterArithmetic(engine, { combination: 'svd', svdRank: 16, weights: [1, -0.5], sampleLength: 1, valWindows: 1 }, { files: disk });
    expect(svd.combined.relativeDeviation).toBeLessThan(1e-5); // rank 16 holds the rank-16 sum
    const svd2 = await adapterArithmetic(engine, { combination: 'svd', svdRank: 2, weights: [1, -0.5], sampleLength: 1, valWindows: 1 }, { files: disk });
    expect(svd2.combined.relativeDeviation).toBeGreaterThan(1e-3);
    const back = readPeftAdapter(cat.combined.config, Uint8Array.from(atob(cat.combined.safetensors), (c) => c.charCodeAt(0)));
    expect(back.config.r).toBe(16);
    expect(back.modules).toHaveLength(8);
  });

  it('names the setting at fault', async () => {
    await expect(adapterArithmetic(engine, { combination: 'svd', svdRank: 1000, sampleLength: 1 }, { files: disk })).rejects.toSatisfy((x: unknown) => x instanceof SettingError && x.setting === 'svdRank');
    await expect(adapterArithmetic(engine, { combination: 'nope' as never, sampleLength: 1 }, { files: disk })).rejects.toSatisfy((x: unknown) => x instanceof SettingError && x.setting === 'combination');
  });
});
