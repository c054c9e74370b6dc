// The engine draws what PyTorch draws: torch.manual_seed(seed), get_peft_model's adapter
// initialisation (nn.Linear constructors, then reset_lora_parameters), then torch.randint for the
// batch starts, all from one generator; and plain randint / uniform_ calls. The values were written
// by torch, transformers and peft themselves (scripts/lm/make_init_fixture.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../random';
import { ROOT, loadModelDir } from '../test-support/lm';
import { MODEL_NAME, PUBLIC_DIR } from './files';
import { type TargetModule, drawPeftInit, kaimingBound } from './model';
import { sampleBatch } from './train';

interface Summary { shape: number[]; head: number[]; tail: number[]; sum: number; sumsq: number }
interface PeftCase { seed: number; targets: TargetModule[]; rank: number; alpha: number; rslora: boolean; span: number; batch: number; starts: number[][]; lora_A: Record<string, Summary> }
type Plain = { op: 'randint'; high: number; n: number; values: number[] } | { op: 'uniform'; from: number; to: number; n: number; values: number[] } | { op: 'rand'; n: number; values: number[] };
const fx = JSON.parse(readFileSync(join(ROOT, 'demos/lm/fixtures/peft-init.json'), 'utf8')) as { peft: PeftCase[]; plain: Array<{ seed: number; calls: Plain[] }> };

const config = () => loadModelDir(join(PUBLIC_DIR, 'models', MODEL_NAME)).config;

/** float32 values from torch's draws: the same float, so equal up to torch's own printing (exact here). */
const TOL = 1e-7;

describe('TorchGenerator.randint / uniform / rand against torch', () => {
  for (const c of fx.plain) {
    it(`seed ${c.seed}: ${c.calls.map((k) => k.op).join(' → ')}`, () => {
      const g = new TorchGenerator(c.seed);
      for (const call of c.calls) {
        if (call.op === 'randint') expect(g.randint(call.high, call.n)).toEqual(call.values);
        else {
          const v = call.op === 'rand' ? g.rand(call.n) : g.uniform(call.from, call.to, call.n);
          call.values.forEach((want, i) => expect(Math.abs(v[i]! - want), `${call.op}[${i}]`).toBeLessThan(TOL));
        }
      }
    });
  }
  it('randint refuses a range it cannot draw as torch does', () => {
    expect(() => new TorchGenerator(0).randint(0, 3)).toThrow(/high/);
    expect(() => new TorchGenerator(0).randint(1.5, 3)).toThrow(/high/);
  });
  it('kaimingBound is 1/√fan_in', () => {
    for (const n of [1, 3, 128, 344]) expect(kaimingBound(n)).toBeCloseTo(1 / Math.sqrt(n), 15);
  });
});

describe('drawPeftInit + sampleBatch draw what manual_seed → get_peft_model → randint draws', () => {
  const c = config();
  for (const k of fx.peft) {
    it(`seed ${k.seed}, r = ${k.rank}, targets ${k.targets.join(',')}`, () => {
      const gen = new TorchGenerator(k.seed);
      const adapter = drawPeftInit(c, { targets: k.targets, rank: k.rank, alpha: k.alpha, useRslora: k.rslora }, gen);
      expect(adapter.modules.length).toBe(Object.keys(k.lora_A).length);
      for (const m of adapter.modules) {
        const want = k.lora_A[m.path]!;
        expect(want, m.path).toBeDefined();
        expect(m.a.shape).toEqual(want.shape);
        expect(m.b.data.every((v) => v === 0)).toBe(true);
        const n = m.a.data.length;
        want.head.forEach((v, i) => expect(Math.abs(m.a.data[i]! - v), `${m.path} A[${i}]`).toBeLessThan(TOL));
        want.tail.forEach((v, i) => expect(Math.abs(m.a.data[n - 6 + i]! - v), `${m.path} A[${n - 6 + i}]`).toBeLessThan(TOL));
        let sum = 0;
        let sumsq = 0;
        for (const v of m.a.data) {
          sum += v;
          sumsq += v * v;
        }
        expect(Math.abs(sum - want.sum)).toBeLessThan(1e-9 * n);
        expect(Math.abs(sumsq - want.sumsq)).toBeLessThan(1e-9 * n);
      }
      // The batch starts come next from the same generator: sampleBatch's windows begin there.
      const context = 4;
      const tokens = Int32Array.from({ length: k.span + context }, (_, i) => i);
      for (const starts of k.starts) {
        const b = sampleBatch(tokens, k.batch, context, gen);
        expect(Array.from({ length: k.batch }, (_, i) => b.x[i * context]!)).toEqual(starts);
        expect(b.y![0]).toBe(starts[0]! + 1);
      }
    });
  }
});
