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
import { COMPANION_SCRIPTS, pythonDefaults, pythonScript, type PythonSettings } from '../../src/python/export';
import { bothPrintouts, expectSamePrintout, pythonOrSkip, repoRoot } from './companion-support';

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

const { python, reason, skip } = pythonOrSkip();
let engine: Engine;

beforeAll(async () => {
  if (!skip) engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => engine?.dispose());

describe.skipIf(skip)(`companion scripts against the engine (${reason})`, () => {
  for (const demo of Object.keys(COMPANION_SCRIPTS)) {
    const file = path.join(repoRoot, 'companion', COMPANION_SCRIPTS[demo as keyof typeof COMPANION_SCRIPTS].file);

    it(`${demo}: companion/${path.basename(file)} as committed (the notebook's settings) prints the engine's numbers`, async () => {
      const source = readFileSync(file, 'utf8');
      const defaults = pythonDefaults(demo);
      expect(pythonScript(demo, defaults), 'filling in the defaults changes nothing').toBe(source);
      const [py, en] = await bothPrintouts(python!, engine, demo, source, defaults);
      const worst = expectSamePrintout(demo, py, en);
      console.info(`${demo} (notebook settings): largest |Δ| ${worst.abs.toExponential(1)}, relative ${worst.rel.toExponential(1)}`);
    });

    it(`${demo}: with ${JSON.stringify(OTHER_CONFIGS[demo])} prints the engine's numbers`, async () => {
      const settings = { ...pythonDefaults(demo), ...OTHER_CONFIGS[demo]! };
      const [py, en] = await bothPrintouts(python!, engine, demo, pythonScript(demo, settings), settings);
      const worst = expectSamePrintout(demo, py, en);
      console.info(`${demo} (other settings): largest |Δ| ${worst.abs.toExponential(1)}, relative ${worst.rel.toExponential(1)}`);
    });
  }
});
