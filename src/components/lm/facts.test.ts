// Chapter 8's build-time numbers against arithmetic on the committed config and run files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lmFacts, lmNumber } from './facts';

const config = JSON.parse(readFileSync('public/models/austen-char-llama/config.json', 'utf8'));
const run = JSON.parse(readFileSync('demos/lm/results/default-run.json', 'utf8'));

describe('chapter 8 numbers', () => {
  it('match the config and the committed default run', async () => {
    const f = await lmFacts();
    const { hidden_size: d, intermediate_size: ff, num_hidden_layers: L, vocab_size: V } = config;
    const perLayer = 2 * d + 4 * d * d + 3 * d * ff;
    expect(lmNumber(f, 'perLayer')).toBe(perLayer.toLocaleString('en'));
    expect(lmNumber(f, 'parameters')).toBe((2 * V * d + d + L * perLayer).toLocaleString('en'));
    expect(lmNumber(f, 'lora.trainable')).toBe((L * 2 * 8 * (d + d)).toLocaleString('en'));
    expect(lmNumber(f, 'all.trainable')).toBe((L * 8 * (4 * 2 * d + 3 * (d + ff))).toLocaleString('en'));
    expect(lmNumber(f, 'uniformLoss')).toBe(Math.log(V).toFixed(2));
    expect(lmNumber(f, 'run.lossAfter')).toBe(run.frame.valLosses.at(-1).loss.toFixed(2));
    expect(f.savings.map((t) => t.rows[0]!.reduction)).toEqual([d / 16, 4096 / 16]);
  });

  it('an unknown name fails loudly', async () => {
    expect(() => lmNumber({} as never, 'nope')).toThrow(/unknown; use one of/);
  });
});
