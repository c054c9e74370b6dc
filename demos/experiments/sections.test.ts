/** Each section on its own: settings, progress, abort, and §4 with or without §3's result. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../index';
import type { Engine } from '../types';
import { adapterMerging, lowRankIntuition, rankSweep, trainingComparison, type TrainingProgress, type TrainingResult } from './index';

let engine: Engine;
let trained: TrainingResult;
const progress: TrainingProgress[] = [];
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
  trained = await trainingComparison(engine, { epochs: 20 }, { onProgress: (p) => progress.push(p) });
}, 300_000);
afterAll(async () => engine?.dispose());

describe('sections run on their own', () => {
  it('§3 reports live progress of the LoRA run, then of the full run', () => {
    const runs = progress.map((p) => p.run);
    expect(runs[0]).toBe('lora');
    expect(runs[runs.length - 1]).toBe('full');
    expect(runs.indexOf('full')).toBeGreaterThan(runs.lastIndexOf('lora'));
    const lastLora = progress.filter((p) => p.run === 'lora').at(-1)!;
    expect(lastLora.result.lora.losses.slice(0, trained.lora.losses.length)).toEqual(trained.lora.losses.slice(0, lastLora.result.lora.losses.length));
    expect(trained.lora.losses).toHaveLength(20);
    expect(trained.checkpoints.map((c) => c.epoch)).toEqual([0]);
  });

  it('§4 without §3 trains again and draws the same x_test: the same result', async () => {
    const withPrior = await adapterMerging(engine, {}, { trained });
    const alone = await adapterMerging(engine, { epochs: 20 });
    expect(alone.outSeparate).toEqual(withPrior.outSeparate);
    expect(alone.spectrumFull).toEqual(withPrior.spectrumFull);
    expect(alone.settings).toEqual(withPrior.settings);
    expect(alone.equal).toBe(true);
  });

  it('§4 refuses a §3 result trained with other settings', async () => {
    await expect(adapterMerging(engine, { rank: 8 }, { trained })).rejects.toThrow(/rank/);
  });

  it('an aborted signal stops a section', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(trainingComparison(engine, { epochs: 5 }, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('settings beyond the notebook: α/√r scaling and Adam change the run', async () => {
    const rs = await trainingComparison(engine, { epochs: 3, rank: 8, scalingRule: 'alpha/sqrt(r)', optimizer: 'adam' });
    expect(rs.trained!.scaling).toBeCloseTo(8 / Math.sqrt(8), 12);
    expect(rs.lora.params).toBe(2 * 8 * 32);
    expect(rs.lora.losses[2]!).toBeLessThan(rs.lora.losses[0]!);
  });

  it('an engine error about an input names the setting it came from', async () => {
    await expect(trainingComparison(engine, { epochs: 0 })).rejects.toMatchObject({ name: 'SettingError', setting: 'epochs' });
    await expect(rankSweep(engine, { ranks: [64], epochs: 1 })).rejects.toMatchObject({ name: 'SettingError', setting: 'ranks' });
    await expect(lowRankIntuition(engine, { d: 4, k: 4, trueRank: 5 })).rejects.toMatchObject({ name: 'SettingError', setting: 'trueRank' });
  });

  it('progress is the result so far, and a diverging run reports its losses up to the bad step', async () => {
    const seen: TrainingProgress[] = [];
    const err = await trainingComparison(engine, { lr: 10, epochs: 60 }, { onProgress: (p) => seen.push(p) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'TrainingDivergedError' });
    const last = seen.at(-1)!;
    const curve = last.result[last.run].losses;
    expect(curve).toHaveLength((err as { step: number }).step + 1);
    expect(Number.isFinite(curve.at(-1)!)).toBe(false);
    expect(last.result.settings.epochs).toBe(60);
    expect(last.steps).toBe(last.result.lora.losses.length + last.result.full.losses.length);
  });
});
