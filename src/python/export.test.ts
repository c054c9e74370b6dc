/**
 * "Export as Python": the table covers every demo with the demo's own parameter names and
 * defaults, the settings block is filled in without touching the rest of the script, bad
 * settings are refused with a message, and (with a Python that has torch) a script exported for
 * non-default settings prints the engine's numbers for those settings.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../demos/index';
import type { Engine } from '../../demos/index';
import { bothPrintouts, expectSamePrintout, pythonOrSkip, repoRoot } from '../../tests/unit/companion-support';
import { SPECS, specEntry, type AnySpec } from '../specs/index';
import { defaults } from '../demo-kit/spec';
import { SettingError } from '../../demos/index';
import { companionSource, pythonDefaults, pythonFileName, pythonScript, type PythonSettings } from './export';

/**
 * Demos without a companion script to export, and why. Chapter 8's companion,
 * companion/language_model.py (its spec's `companion`), takes `npm run lm:finetune`'s flags, not a
 * settings block, and tests/unit/lm-companion.test.ts compares it with the engine.
 */
const CHAPTER9 = 'a chapter-9 point is chapter 8’s run at other settings: companion/language_model.py trains a LoRA point from its flags; full fine-tuning, the Austen evaluation and the memory walk have no Python companion';
const NO_COMPANION: ReadonlyMap<string, string> = new Map([
  ['language-model', 'its companion takes lm:finetune’s flags (tests/unit/lm-companion.test.ts)'],
  ...['practice-evaluation', 'practice-forgetting', 'practice-lr', 'practice-memory', 'practice-rank', 'practice-targets'].map((id): [string, string] => [id, CHAPTER9]),
  // Chapter 10: PEFT itself is the Python side (LoraConfig's use_dora, init_lora_weights, use_rslora; add_weighted_adapter), checked against the engine by scripts/lm/variant_fixtures.py and check_combine.py.
  ['lora-variants', 'the variants are LoraConfig switches of PEFT itself, checked against the engine by scripts/lm/variant_fixtures.py; lm:finetune takes the same flags'],
  ['adapter-arithmetic', 'the combination is PEFT’s add_weighted_adapter, checked against the engine by scripts/lm/check_combine.py; lm:combine writes the same folders'],
]);
const specs = [...SPECS.values()].map((e) => e.spec).filter((s) => !NO_COMPANION.has(s.id));

describe('a demo without a companion script is one that says why', () => {
  it('the specs without `python` are exactly those in NO_COMPANION', () => {
    const without = [...SPECS.values()].map((e) => e.spec).filter((s) => !s.python).map((s) => s.id).sort();
    expect(without).toEqual([...NO_COMPANION.keys()].sort());
  });
});
const spec = (id: string): AnySpec => specEntry(id).spec;
const computed = (s: AnySpec) =>
  Object.entries(s.params)
    .filter(([, p]) => !p.display)
    .map(([k]) => k);

describe('every spec names its companion script', () => {
  for (const s of specs) {
    it(`${s.id}: companion/${s.python} exists; its settings block has the demo's parameters (less display-only ones) and its defaults`, () => {
      expect(s.python, `${s.id} declares python: '<file>.py'`).toMatch(/^\w+\.py$/);
      expect(existsSync(path.join(repoRoot, 'companion', s.python!))).toBe(true);
      const block = pythonDefaults(s);
      expect(Object.keys(block).sort()).toEqual(computed(s).sort());
      const demoDefaults = defaults(s.params) as PythonSettings;
      for (const key of Object.keys(block)) expect(block[key], key).toEqual(demoDefaults[key]);
    });
  }

  it('names the file like the companion file', () => {
    expect(pythonFileName(spec('lowrank'))).toBe('low_rank.py');
    expect(pythonFileName(spec('training'))).toBe('training.py');
  });
});

describe('pythonScript', () => {
  const training = spec('training');
  const source = companionSource('training.py');

  it('with the defaults (or nothing) returns the script unchanged', () => {
    expect(pythonScript(training, {})).toBe(source);
    expect(pythonScript(training, pythonDefaults(training))).toBe(source);
  });

  it('writes each value as a Python literal and keeps the comment; nothing outside the block changes', () => {
    const out = pythonScript(training, { rank: 8, lr: 1e-7, optimizer: 'adam', scalingRule: 'alpha/sqrt(r)', alpha: 0.5 });
    expect(out).toContain('    "rank": 8,  # LoRA rank r of the adapter\n');
    expect(out).toContain('    "lr": 1e-7,  # learning rate\n');
    expect(out).toContain('    "optimizer": "adam",  # "sgd" or "adam"\n');
    expect(out).toContain('    "scalingRule": "alpha/sqrt(r)",');
    expect(out).toContain('    "alpha": 0.5,');
    expect(out).toContain('    "epochs": 100,'); // not given: the default stays
    const outside = (t: string) => t.replace(/SETTINGS = \{[^}]*\}/, '');
    expect(outside(out)).toBe(outside(source));
    // Exporting the exported script again with other values works the same way.
    expect(pythonScript(training, { rank: 4, lr: 0.01, optimizer: 'sgd', scalingRule: 'alpha/r', alpha: 8 })).toBe(source);
  });

  it('writes lists and ignores display-only settings', () => {
    expect(pythonScript(spec('rank'), { ranks: [2, 16] })).toContain('    "ranks": [2, 16],');
    expect(pythonScript(spec('merging'), { view: 'merged', rank: 2 })).toBe(pythonScript(spec('merging'), { rank: 2 }));
    expect(pythonScript(spec('adapters'), { adapter: 'taskB' })).toBe(companionSource('adapters.py'));
  });

  it('refuses what it cannot write, with a message', () => {
    const fails = (id: string | AnySpec, s: PythonSettings, message: RegExp) => {
      const target = typeof id === 'string' ? spec(id) : id;
      expect(() => pythonScript(target, s)).toThrow(SettingError);
      expect(() => pythonScript(target, s)).toThrow(message);
    };
    fails({ ...training, id: 'nope', python: undefined }, {}, /The demo “nope” has no Python companion/);
    fails({ ...training, python: 'nope.py' }, {}, /There is no companion\/nope\.py/);
    fails('training', { ranks: [1] }, /training script \(training\.py\) has no setting ranks; it takes rank, lr/);
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
const EXPORTED: Record<string, PythonSettings> = {
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
  for (const s of specs) {
    it(`${s.id}: ${JSON.stringify(EXPORTED[s.id])}`, async () => {
      expect(EXPORTED[s.id], `settings to export for ${s.id}`).toBeDefined();
      const settings = { ...(defaults(s.params) as PythonSettings), ...EXPORTED[s.id] };
      const script = pythonScript(s, settings);
      expect(script).not.toBe(companionSource(s.python!));
      const [py, en] = await bothPrintouts(python!, engine, s.id, script, settings);
      expectSamePrintout(s.id, py, en);
    });
  }
});
