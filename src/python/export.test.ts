/**
 * "Export as Python": the table covers every demo with the demo's own parameter names and
 * defaults, the settings block is filled in without touching the rest of the script, bad
 * settings are refused with a message, and (with a Python that has torch) a script exported for
 * non-default settings prints the engine's numbers for those settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../demos/index';
import type { Engine } from '../../demos/types';
import { bothPrintouts, expectSamePrintout, pythonOrSkip } from '../../tests/unit/companion-support';
import { DEMO_IDS, STATE, defaults, type DemoId, type Param } from '../islands/state';
import { COMPANION_SCRIPTS, PythonExportError, pythonDefaults, pythonFileName, pythonScript, type PythonSettings } from './export';

const computed = (demo: DemoId) =>
  Object.entries(STATE[demo] as Record<string, Param>)
    .filter(([, p]) => !p.display)
    .map(([k]) => k);

describe('the companion table', () => {
  it('has a script for every demo id of the URL state', () => {
    expect(Object.keys(COMPANION_SCRIPTS).sort()).toEqual([...DEMO_IDS].sort());
  });

  for (const demo of DEMO_IDS) {
    it(`${demo}: the settings block has the demo's parameters (less display-only ones) and its defaults`, () => {
      const block = pythonDefaults(demo);
      expect(Object.keys(block).sort()).toEqual(computed(demo).sort());
      const demoDefaults = defaults(demo) as PythonSettings;
      for (const key of Object.keys(block)) expect(block[key], key).toEqual(demoDefaults[key]);
      // Display-only parameters are the ones the table tells the exporter to ignore.
      const display = Object.keys(STATE[demo]).filter((k) => !computed(demo).includes(k));
      expect([...COMPANION_SCRIPTS[demo].displayOnly].sort()).toEqual(display.sort());
    });
  }

  it('names the file', () => {
    expect(pythonFileName('lowrank')).toBe('low_rank.py');
    expect(pythonFileName('training')).toBe('training.py');
  });
});

describe('pythonScript', () => {
  const source = COMPANION_SCRIPTS.training.source;

  it('with the defaults (or nothing) returns the script unchanged', () => {
    expect(pythonScript('training', {})).toBe(source);
    expect(pythonScript('training', pythonDefaults('training'))).toBe(source);
  });

  it('writes each value as a Python literal and keeps the comment; nothing outside the block changes', () => {
    const out = pythonScript('training', { rank: 8, lr: 1e-7, optimizer: 'adam', scalingRule: 'alpha/sqrt(r)', alpha: 0.5 });
    expect(out).toContain('    "rank": 8,  # LoRA rank r of the adapter\n');
    expect(out).toContain('    "lr": 1e-7,  # learning rate\n');
    expect(out).toContain('    "optimizer": "adam",  # "sgd" or "adam"\n');
    expect(out).toContain('    "scalingRule": "alpha/sqrt(r)",');
    expect(out).toContain('    "alpha": 0.5,');
    expect(out).toContain('    "epochs": 100,'); // not given: the default stays
    const outside = (t: string) => t.replace(/SETTINGS = \{[^}]*\}/, '');
    expect(outside(out)).toBe(outside(source));
    // Exporting the exported script again with other values works the same way.
    expect(pythonScript('training', { rank: 4, lr: 0.01, optimizer: 'sgd', scalingRule: 'alpha/r', alpha: 8 })).toBe(source);
  });

  it('writes lists and ignores display-only settings', () => {
    expect(pythonScript('rank', { ranks: [2, 16] })).toContain('    "ranks": [2, 16],');
    expect(pythonScript('merging', { view: 'merged', rank: 2 })).toBe(pythonScript('merging', { rank: 2 }));
    expect(pythonScript('adapters', { adapter: 'taskB' })).toBe(COMPANION_SCRIPTS.adapters.source);
  });

  it('refuses what it cannot write, with a message', () => {
    const fails = (demo: string, s: PythonSettings, message: RegExp) => {
      expect(() => pythonScript(demo, s)).toThrow(PythonExportError);
      expect(() => pythonScript(demo, s)).toThrow(message);
    };
    fails('nope', {}, /No Python companion for the demo “nope”/);
    fails('training', { ranks: [1] }, /no setting ranks; it takes rank, lr/);
    fails('training', { rank: '8' }, /rank must be a number, not "8"/);
    fails('training', { optimizer: 3 }, /optimizer must be a string/);
    fails('training', { lr: Number.NaN }, /lr must hold finite numbers/);
    fails('rank', { ranks: 4 }, /ranks must be a list of numbers/);
    fails('rank', { ranks: [] }, /ranks needs at least one value/);
    fails('rank', { ranks: [1, Infinity] }, /finite numbers/);
  });
});

// Round trip: exported for non-default settings → Python → the engine's numbers -------------

/** Settings a reader could pick, none of them the notebook's (cheap: a few seconds each). */
const EXPORTED: Record<DemoId, PythonSettings> = {
  lowrank: { trueRank: 3, noise: 0.05, size: 24, seed: 11 },
  implementation: { rank: 2, alpha: 2, dIn: 16, dOut: 24, scalingRule: 'alpha/r', seed: 9 },
  training: { rank: 2, lr: 0.05, epochs: 40, optimizer: 'sgd', scalingRule: 'alpha/r', alpha: 16, seed: 2 },
  merging: { rank: 8, lr: 0.005, epochs: 30, optimizer: 'adam', scalingRule: 'alpha/sqrt(r)', alpha: 8, seed: 42, view: 'merged' },
  rank: { ranks: [2, 16], optimizer: 'sgd', lr: 0.05, epochs: 50, scalingRule: 'alpha/r', alpha: 8, seed: 3 },
  adapters: { adapter: 'taskB', rank: 1, alpha: 8, seed: 0 },
  savings: { model: '70b', dModel: 8192, layers: 80, matrices: 2, ranks: [1, 128] },
};

const { python, reason, skip } = pythonOrSkip();
let engine: Engine;
beforeAll(async () => {
  if (!skip) engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => engine?.dispose());

describe.skipIf(skip)(`an exported script prints the engine's numbers for its settings (${reason})`, () => {
  for (const demo of DEMO_IDS) {
    it(`${demo}: ${JSON.stringify(EXPORTED[demo])}`, async () => {
      const settings = { ...(defaults(demo) as PythonSettings), ...EXPORTED[demo] };
      const script = pythonScript(demo, settings);
      expect(script).not.toBe(COMPANION_SCRIPTS[demo].source);
      const [py, en] = await bothPrintouts(python!, engine, demo, script, settings);
      expectSamePrintout(demo, py, en);
    });
  }
});
