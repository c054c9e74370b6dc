/**
 * The companion scripts (companion/*.py, PyTorch) print what the engine's experiments print,
 * for the notebook's settings and for other configurations of every demo. Needs a Python with
 * torch (findPython in companion-support.ts); without one the checks are skipped with the
 * reason, unless COMPANION_REQUIRED=1 (CI), which makes a missing Python a failure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../demos/index';
import type { Engine } from '../../demos/types';
import { pythonDefaults, pythonScript, type PythonSettings } from '../../src/python/export';
import { SPECS } from '../../src/specs/index';
import { bothPrintouts, expectSamePrintout, lastUnit, pythonOrSkip, repoRoot } from './companion-support';

/** Per demo, settings other than the notebook's: each changes what the script computes. */
export const OTHER_CONFIGS: Record<string, PythonSettings> = {
  lowrank: { trueRank: 6, noise: 0.01, size: 40, seed: 7 },
  implementation: { rank: 8, alpha: 16, dIn: 48, dOut: 40, scalingRule: 'alpha/sqrt(r)', seed: 3 },
  training: { rank: 8, lr: 0.01, epochs: 150, optimizer: 'adam', scalingRule: 'alpha/sqrt(r)', alpha: 8, seed: 1 },
  merging: { rank: 2, lr: 0.02, epochs: 60, optimizer: 'adam', scalingRule: 'alpha/r', alpha: 4, seed: 5 },
  rank: { ranks: [1, 3, 4, 8], optimizer: 'adam', lr: 0.01, epochs: 100, scalingRule: 'alpha/sqrt(r)', alpha: 4, seed: 0 },
  adapters: { rank: 2, alpha: 4, seed: 123 },
  savings: { model: 'custom', dModel: 2048, layers: 24, matrices: 4, ranks: [2, 8, 32] },
};

describe('the printout comparison (no Python needed)', () => {
  const engine = 'Epoch   0: loss = 0.623921\nLoRA uses 4.0x fewer trainable parameters\n  + Task A adapter norm:   26.8969';
  it('accepts float32 round-off at the documented tolerances', () => {
    expectSamePrintout('training', engine.replace('0.623921', '0.623923'), engine);
    expectSamePrintout('adapters', engine.replace('26.8969', '26.8970'), engine);
  });
  it('fails on a larger difference, another count, or other words', () => {
    expect(() => expectSamePrintout('training', engine.replace('0.623921', '0.623924'), engine)).toThrow(/line 1/);
    expect(() => expectSamePrintout('training', engine.replace('4.0x', '4.1x'), engine)).toThrow(/line 2/);
    expect(() => expectSamePrintout('adapters', engine.replace('26.8969', '26.8971'), engine)).toThrow(/line 3/);
    expect(() => expectSamePrintout('training', engine.replace('fewer', 'more'), engine)).toThrow(/lines of the printout/);
    expect(() => expectSamePrintout('training', engine.split('\n').slice(1).join('\n'), engine)).toThrow();
  });
  it('knows the unit of a printed digit', () => {
    expect(lastUnit('0.7123')).toBeCloseTo(1e-4, 12);
    expect(lastUnit('1.591e-05')).toBeCloseTo(1e-8, 16);
    expect(lastUnit('4096')).toBe(1);
  });
});

const { python, reason, skip } = pythonOrSkip();
let engine: Engine;

beforeAll(async () => {
  if (!skip) engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => engine?.dispose());

describe.skipIf(skip)(`companion scripts against the engine (${reason})`, () => {
  for (const { spec } of SPECS.values()) {
    if (!spec.python) continue; // src/python/export.test.ts: NO_COMPANION says which and why
    const demo = spec.id;
    const file = path.join(repoRoot, 'companion', spec.python ?? `(${demo} names no python script)`);

    it(`${demo}: companion/${path.basename(file)} as committed (the notebook's settings) prints the engine's numbers`, async () => {
      const source = readFileSync(file, 'utf8');
      const defaults = pythonDefaults(spec);
      expect(pythonScript(spec, defaults), 'filling in the defaults changes nothing').toBe(source);
      const [py, en] = await bothPrintouts(python!, engine, demo, source, defaults);
      const worst = expectSamePrintout(demo, py, en);
      console.info(`${demo} (notebook settings): largest |Δ| ${worst.abs.toExponential(1)}, relative ${worst.rel.toExponential(1)}`);
    });

    it(`${demo}: with ${JSON.stringify(OTHER_CONFIGS[demo])} prints the engine's numbers`, async () => {
      const settings = { ...pythonDefaults(spec), ...OTHER_CONFIGS[demo]! };
      const [py, en] = await bothPrintouts(python!, engine, demo, pythonScript(spec, settings), settings);
      const worst = expectSamePrintout(demo, py, en);
      console.info(`${demo} (other settings): largest |Δ| ${worst.abs.toExponential(1)}, relative ${worst.rel.toExponential(1)}`);
    });
  }
});
