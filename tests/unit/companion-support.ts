/**
 * What the companion checks share: finding a Python with torch, running a companion script,
 * the engine's printout for a demo's settings (the same experiments and printout functions
 * the site runs), and comparing the two printouts number by number.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  SAVINGS_MODELS,
  adapterMerging,
  formatAdapters,
  formatComparison,
  formatImplementation,
  formatLoraTraining,
  formatMerging,
  formatRankSweep,
  formatSavings,
  formatTrainingTask,
  loraImplementation,
  lowRankIntuition,
  multiAdapter,
  rankSweep,
  savingsTable,
  trainingComparison,
} from '../../demos/experiments/index';
import type { SavingsModel } from '../../demos/experiments/types';
import type { Engine } from '../../demos/types';
import type { PythonSettings } from '../../src/python/export';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The Python to run: $COMPANION_PYTHON if set, else .venv-companion (npm run companion:venv)
 * or python3, whichever imports torch first. `reason` says why there is none.
 */
export function findPython(): { python?: string; reason: string } {
  // An explicit COMPANION_PYTHON is the only candidate: a typo there must not silently test another Python.
  const explicit = process.env.COMPANION_PYTHON;
  const candidates = explicit ? [explicit] : [path.join(repoRoot, '.venv-companion/bin/python'), 'python3'].filter((p) => !p.includes('/') || existsSync(p));
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, reason: `${python} (torch ${r.stdout.trim()})` };
  }
  return {
    reason:
      `no Python with torch found (tried ${candidates.join(', ') || 'nothing'}): ` +
      'run `npm run companion:venv`, or set COMPANION_PYTHON to a Python that has torch',
  };
}

/**
 * Skip the companion checks when no Python with torch is found, with the reason in the test
 * name; with COMPANION_REQUIRED=1 (CI sets it) a missing Python is a failure instead.
 */
export function pythonOrSkip(): { python?: string; reason: string; skip: boolean } {
  const found = findPython();
  if (!found.python && process.env.COMPANION_REQUIRED === '1') throw new Error(`COMPANION_REQUIRED=1 but ${found.reason}`);
  if (!found.python) console.warn(`Skipping the companion checks: ${found.reason}.`);
  return { ...found, skip: !found.python };
}

/**
 * Run a script's text with Python; resolves to its stdout, rejects with stderr on a non-zero
 * exit. Asynchronous, so the engine can run meanwhile and the test worker stays responsive.
 */
export function runPython(python: string, source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python exited with ${code}:\n${err}`))));
    child.stdin.end(source);
  });
}

/** The script's printout and the engine's for the same settings, both run at once. */
export async function bothPrintouts(python: string, engine: Engine, demo: string, script: string, settings: PythonSettings): Promise<[string, string]> {
  return Promise.all([runPython(python, script), enginePrintout(engine, demo, settings)]);
}

// The engine's printout for a demo's URL settings, mapped as the demo islands map them -------

const SAVINGS_PRESETS: Record<string, SavingsModel> = { '7b': SAVINGS_MODELS[0]!, '13b': SAVINGS_MODELS[1]!, '70b': SAVINGS_MODELS[2]! };

/** How the §1 summary reads (companion/low_rank.py prints 4 significant digits). */
function lowRankPrintout(r: Awaited<ReturnType<typeof lowRankIntuition>>): string {
  const { d, k, trueRank, noise } = r.settings;
  const g = (x: number) => x.toPrecision(4);
  const sv = r.singularValues;
  const above = trueRank < sv.length ? `, σ_${trueRank + 1} = ${g(sv[trueRank]!)}` : '';
  return [
    `ΔW: ${d}x${k}, true rank ${trueRank}, noise ${noise}`,
    `  σ_1 = ${g(sv[0]!)}, σ_${trueRank} = ${g(sv[trueRank - 1]!)}${above}`,
    `  relative error at r = ${trueRank}: ${g(r.relErrors[trueRank - 1]!)}`,
    `  99% of the energy with r = ${r.rankFor99}`,
  ].join('\n');
}

const n = (s: PythonSettings, k: string) => s[k] as number;
const str = <T extends string>(s: PythonSettings, k: string) => s[k] as T;

/** The engine's printout of `demo` for complete settings `s` (the script's keys and defaults filled in). */
export async function enginePrintout(engine: Engine, demo: string, s: PythonSettings): Promise<string> {
  const training = () => ({
    seed: n(s, 'seed'),
    rank: n(s, 'rank'),
    lr: n(s, 'lr'),
    epochs: n(s, 'epochs'),
    optimizer: str<'sgd' | 'adam'>(s, 'optimizer'),
    scalingRule: str<'alpha/r' | 'alpha/sqrt(r)'>(s, 'scalingRule'),
    alpha: n(s, 'alpha'),
  });
  switch (demo) {
    case 'lowrank':
      return lowRankPrintout(
        await lowRankIntuition(engine, { seed: n(s, 'seed'), d: n(s, 'size'), k: n(s, 'size'), trueRank: n(s, 'trueRank'), noise: n(s, 'noise') }),
      );
    case 'implementation':
      return formatImplementation(
        await loraImplementation(engine, {
          seed: n(s, 'seed'),
          dIn: n(s, 'dIn'),
          dOut: n(s, 'dOut'),
          rank: n(s, 'rank'),
          alpha: n(s, 'alpha'),
          scalingRule: str<'alpha/r' | 'alpha/sqrt(r)'>(s, 'scalingRule'),
        }),
      );
    case 'training': {
      const r = await trainingComparison(engine, training());
      return [formatTrainingTask(r.settings), '', formatLoraTraining(r), '', formatComparison(r)].join('\n');
    }
    case 'merging':
      return formatMerging(await adapterMerging(engine, training()));
    case 'rank': {
      const { rank: _unused, ...rest } = training();
      void _unused;
      return formatRankSweep(await rankSweep(engine, { ...rest, ranks: s.ranks as number[] }));
    }
    case 'adapters':
      return formatAdapters(await multiAdapter(engine, { seed: n(s, 'seed'), rank: n(s, 'rank'), alpha: n(s, 'alpha') }));
    case 'savings': {
      const model = str<string>(s, 'model');
      const models =
        model === 'notebook'
          ? SAVINGS_MODELS
          : model === 'custom'
            ? [{ name: 'Custom model', dModel: n(s, 'dModel'), layers: n(s, 'layers'), matricesPerLayer: n(s, 'matrices') }]
            : [SAVINGS_PRESETS[model]!];
      return formatSavings(savingsTable(models, s.ranks as number[]));
    }
  }
  throw new Error(`no engine printout for ${demo}`);
}

// Comparing printouts ----------------------------------------------------------------------

const NUMBER = /[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;

/**
 * How closely a number on a line must agree. The words of every line must be identical.
 * - 'exact': the same value as printed (counts, shapes, ratios, KB, the savings tables).
 * - `units: 1`: a float32 result (§6's output norms, 4 decimals) may differ by one unit in the
 *   last printed digit: PyTorch (MKL) and the engine (ONNX Runtime) sum in different orders,
 *   and a norm of 255.57 printed to 4 decimals asks for 7 significant digits, which is float32's
 *   limit, so the round-off can straddle a rounding boundary (255.5719 vs 255.5720).
 * - a loss printed to 6 decimals: within 2e-6 (as demos/experiments/notebook.test.ts): the
 *   float32 mean of the N·d squared errors differs by a few units in its 7th significant digit.
 * - §1's singular values and relative error, printed to 4 significant digits: one unit of the
 *   4th digit. LAPACK's SVD and the engine's Jacobi SVD agree to float32 round-off, but a value
 *   can sit on a rounding boundary.
 * - §4's max |separate − merged|, printed as 3.58e-07: round-off noise of two float32 paths,
 *   so only "below allclose's 1e-5 on both sides" is compared; "Are equal" is compared exactly.
 */
export type Tolerance = 'exact' | 'noise' | { abs: number } | { units: number };
export function toleranceFor(demo: string, line: string): Tolerance {
  if (/loss/i.test(line) && /\d\.\d{6}\b/.test(line)) return { abs: 2e-6 };
  if (demo === 'lowrank' && /σ_|relative error/.test(line)) return { units: 1 };
  if (/norm:/.test(line)) return { units: 1 };
  if (/Max difference/.test(line)) return 'noise';
  return 'exact';
}

/** The value of one unit in the last printed digit: 0.7123 → 1e-4, 1.591e-05 → 1e-8, 4096 → 1. */
export function lastUnit(printed: string): number {
  const m = /^[-+]?\d+(?:\.(\d+))?(?:e([-+]?\d+))?$/i.exec(printed);
  if (!m) throw new Error(`not a number: ${printed}`);
  return 10 ** (Number(m[2] ?? 0) - (m[1]?.length ?? 0));
}

/** Python's printout against the engine's, line by line, at the precision printed. Returns the largest deviations seen. */
export function expectSamePrintout(demo: string, python: string, engine: string): { abs: number; rel: number } {
  const lines = (t: string) => t.replace(/\s+$/, '').split('\n').map((l) => l.trimEnd());
  const py = lines(python);
  const en = lines(engine);
  expect(py.map((l) => l.replace(NUMBER, '#')), `${demo}: the lines of the printout`).toEqual(en.map((l) => l.replace(NUMBER, '#')));
  const worst = { abs: 0, rel: 0 };
  en.forEach((line, i) => {
    const a = py[i]!.match(NUMBER) ?? [];
    const b = line.match(NUMBER) ?? [];
    const tol = toleranceFor(demo, line);
    b.forEach((want, j) => {
      const got = a[j]!;
      const where = `${demo}, line ${i + 1}: python "${py[i]}" vs engine "${line}"`;
      const x = Number(got);
      const y = Number(want);
      worst.abs = Math.max(worst.abs, Math.abs(x - y));
      if (y !== 0) worst.rel = Math.max(worst.rel, Math.abs(x - y) / Math.abs(y));
      if (tol === 'exact') expect(x, where).toBe(y); // as printed: '1e-05' and '0.00001' are one value
      else if (tol === 'noise') expect(Math.max(x, y), where).toBeLessThan(1e-5);
      else if ('abs' in tol) expect(Math.abs(x - y), where).toBeLessThanOrEqual(tol.abs + 1e-12);
      else expect(Math.abs(x - y), where).toBeLessThanOrEqual(tol.units * lastUnit(want) * (1 + 1e-9));
    });
  });
  return worst;
}
