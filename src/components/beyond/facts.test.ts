// Chapter 10's prose numbers come from the committed runs: each name reads its field, ratios are
// computed, and a name that is not there fails (the build) instead of printing something.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { beyondFacts, beyondNumber } from './facts';

const run = JSON.parse(readFileSync('demos/lm/results/variants-run.json', 'utf8')) as { settings: { batch: number }; rows: { id: string; valAfter: number; msPerStep: number; trainableParameters: number; baseWeightBytes: number; baseWeightBytesFloat32: number }[] };
const by = (id: string) => run.rows.find((r) => r.id === id)!;

describe('beyondNumber', () => {
  it('reads the committed runs', async () => {
    const f = await beyondFacts();
    expect(beyondNumber(f, 'variant.dora.valAfter')).toBe(by('dora').valAfter.toFixed(3));
    expect(beyondNumber(f, 'variant.rslora.trainable')).toBe(by('rslora').trainableParameters.toLocaleString('en'));
    expect(beyondNumber(f, 'variant.dora.msPerStep')).toBe(by('dora').msPerStep.toFixed(0));
    expect(beyondNumber(f, 'batch')).toBe(String(run.settings.batch));
    expect(beyondNumber(f, 'ratio.dora.msPerStep')).toBe((by('dora').msPerStep / by('lora').msPerStep).toFixed(1));
    expect(beyondNumber(f, 'qlora.saving')).toBe((by('qlora').baseWeightBytesFloat32 / by('qlora').baseWeightBytes).toFixed(1));
    expect(Number(beyondNumber(f, 'merge.combined.devil'))).toBeGreaterThan(0);
  });

  it('fails on a name it does not know', async () => {
    const f = await beyondFacts();
    expect(() => beyondNumber(f, 'variant.nope.valAfter')).toThrow(/no variant nope/);
    expect(() => beyondNumber(f, 'variant.lora.colour')).toThrow(/unknown/);
    expect(() => beyondNumber(f, 'merge.combined.klingon')).toThrow(/unknown/);
  });
});
