import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from './random';

// Written by PyTorch itself (companion/regenerate.py); CI regenerates it and fails on a difference.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixturesPath = path.resolve(repoRoot, 'tests/fixtures/torch_rng_fixtures.json');

type Call = {
  op: 'randn' | 'rand';
  shape: number[];
  values: number[] | null;
  head: number[];
  tail: number[];
  sum: number;
  sumsq: number;
};
type Case = { seed: number; calls: Call[] };
const fixtures = JSON.parse(readFileSync(fixturesPath, 'utf8')) as { cases: Case[] };

/** PyTorch's vectorised and scalar paths differ at this level. */
const TOL = 2e-6;

function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (diff > TOL) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|Δ| = ${diff})`);
  }
}

describe('TorchGenerator reproduces torch.manual_seed + randn/rand (CPU, float32)', () => {
  expect(fixtures.cases.length).toBeGreaterThan(0);
  fixtures.cases.forEach((c, ci) => {
    const label = `case ${ci}: seed ${c.seed}, ${c.calls.map((k) => `${k.op}(${k.shape.join(',')})`).join(' → ')}`;
    it(label, () => {
      const g = new TorchGenerator(c.seed);
      for (const [i, call] of c.calls.entries()) {
        const what = `call ${i} ${call.op}(${call.shape.join(',')})`;
        const v = call.op === 'randn' ? g.randn(...call.shape) : g.rand(...call.shape);
        const n = call.shape.reduce((a, b) => a * b, 1);
        expect(v.length, what).toBe(n);
        if (call.values) expectClose(v, call.values, `${what} values`);
        expectClose(v.subarray(0, call.head.length), call.head, `${what} head`);
        expectClose(v.subarray(n - call.tail.length), call.tail, `${what} tail`);
        let sum = 0;
        let sumsq = 0;
        for (const x of v) {
          sum += x;
          sumsq += x * x;
        }
        // Per-element differences up to 2e-6 add up over n elements.
        expect(Math.abs(sum - call.sum), `${what} sum`).toBeLessThan(TOL * n);
        expect(Math.abs(sumsq - call.sumsq), `${what} sumsq`).toBeLessThan(TOL * 10 * n);
      }
    });
  });

  it('manual_seed clears the cached normal; the cache survives between calls', () => {
    const a = new TorchGenerator(7);
    const first = a.randn(1)[0];
    const second = a.randn(1)[0]; // the cached sin sample
    const b = new TorchGenerator(7);
    expect(b.randn(2)).toEqual(Float32Array.of(first!, second!));
    expect(new TorchGenerator(7).randn(1)[0]).toBe(first);
  });
});
