/**
 * Chapter 9's committed study: every point of STUDY_POINTS (demos/experiments/practice-study.ts)
 * trained once through the same experiment functions the page's live re-run calls, measured on
 * the same held-out windows, plus the base model and the window-count sweep; written to
 * demos/lm/results/practice.json, which the chapter's figures and numbers read at build time.
 * demos/lm/practice-run.test.ts re-runs the first steps of one point per experiment exactly.
 *
 *   npx tsx scripts/lm/practice-run.ts [--steps N] [--batch N] [--windows N] [--only id,id] [--into FILE] [--out FILE]
 *
 * --steps/--batch/--windows replace every point's (the overfitting run keeps its own steps unless
 * --steps is given); --only trains a subset (for trying the script at a small size, or, with
 * --into, for adding a point to a committed study: the points of FILE are kept, the trained ones
 * added or replaced; FILE must have been made with the same --steps/--batch/--windows).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine } from '../../demos/engine';
import { DEFAULTS } from '../../demos/experiments/defaults';
import { lmEngineFor } from '../../demos/experiments/language-model';
import { practicePoint } from '../../demos/experiments/practice';
import { STUDIES, STUDY_POINTS, type PracticeRun } from '../../demos/experiments/practice-study';
import type { FileSource, PracticeSettings } from '../../demos/experiments/types';
import { LANGUAGE_MODEL_FILES, LanguageModelEngine, PUBLIC_DIR, encode, heldOut, parseModel } from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const PRACTICE_RUN_FILE = join(ROOT, 'demos/lm/results/practice.json');

/** The repository's public/ folder as the site's files. */
export const publicFiles: FileSource = {
  async read(path) {
    return new Uint8Array(readFileSync(join(ROOT, PUBLIC_DIR, path)));
  },
};

export interface RunArgs {
  steps?: number;
  batch?: number;
  windows?: number;
  only?: string[];
  into?: string;
  out: string;
}

export function parseArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = { out: PRACTICE_RUN_FILE };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value.`);
    const whole = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1, not ${value}.`);
      return n;
    };
    if (flag === '--steps') out.steps = whole();
    else if (flag === '--batch') out.batch = whole();
    else if (flag === '--windows') out.windows = whole();
    else if (flag === '--only') out.only = value.split(',');
    else if (flag === '--out') out.out = resolve(value);
    else if (flag === '--into') out.into = resolve(value);
    else throw new Error(`Unknown flag ${flag}: use --steps, --batch, --windows, --only, --into, --out.`);
  }
  const known = new Set(STUDY_POINTS.map((p) => p.id));
  for (const id of out.only ?? []) if (!known.has(id)) throw new Error(`--only: no point "${id}"; the points are ${[...known].join(', ')}.`);
  return out;
}

/** A point's full settings under these arguments. */
export function pointSettings(id: string, a: Pick<RunArgs, 'steps' | 'batch' | 'windows'>): PracticeSettings {
  const p = STUDY_POINTS.find((q) => q.id === id)!;
  const s: PracticeSettings = { ...DEFAULTS[p.from], ...p.change };
  return {
    ...s,
    steps: a.steps ?? s.steps,
    batch: a.batch ?? s.batch,
    valWindows: a.windows ?? s.valWindows,
    // A measurement every evalEvery steps must still fit the (possibly shorter) run.
    evalEvery: s.evalEvery > 0 ? Math.min(s.evalEvery, a.steps ?? s.steps) : 0,
  };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const engine = await createEngine({ backend: 'wasm' });
  const ref = pointSettings('qv-r8', a);
  // The base model on the same windows, and the standard-error sweep over window counts.
  const dir = join(ROOT, PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const lm = lmEngineFor(engine, LanguageModelEngine);
  const text = (p: string) => encode(model, readFileSync(join(ROOT, PUBLIC_DIR, p), 'utf8'));
  const val = text(LANGUAGE_MODEL_FILES.tasks[ref.task].val);
  const austen = text(LANGUAGE_MODEL_FILES.pretraining.val);
  const base = { task: await heldOut(lm, model, val, ref.valWindows), austen: await heldOut(lm, model, austen, ref.valWindows) };
  const windowSweep = [];
  for (const n of STUDIES.windowCounts) {
    const h = await heldOut(lm, model, val, n);
    windowSweep.push({ windows: n, loss: h.loss, se: h.se });
  }
  const kept = a.into ? (JSON.parse(readFileSync(a.into, 'utf8')) as PracticeRun) : undefined;
  if (kept && (kept.options.steps !== ref.steps || kept.options.batch !== ref.batch || kept.options.valWindows !== ref.valWindows)) {
    throw new Error(`--into ${a.into} was made with steps ${kept.options.steps}, batch ${kept.options.batch}, ${kept.options.valWindows} windows: not these settings.`);
  }
  const points: PracticeRun['points'] = { ...kept?.points };
  const pointSeconds: PracticeRun['pointSeconds'] = { ...kept?.pointSeconds };
  for (const { id } of STUDY_POINTS.filter((p) => !a.only || a.only.includes(p.id))) {
    const s = pointSettings(id, a);
    const t = performance.now();
    const r = await practicePoint(engine, s, s, { files: publicFiles });
    points[id] = r.point!;
    pointSeconds[id] = Math.round((performance.now() - t) / 1000);
    console.log(`${id}: task ${r.point!.task.loss.toFixed(3)} ± ${r.point!.task.se.toFixed(3)}, austen ${r.point!.austen.loss.toFixed(3)} (${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
  await engine.dispose();
  const run: PracticeRun = {
    options: { steps: ref.steps, batch: ref.batch, valWindows: ref.valWindows },
    // In STUDY_POINTS' order, whatever order they were trained in.
    base, windowSweep,
    points: Object.fromEntries(STUDY_POINTS.filter((p) => points[p.id]).map((p) => [p.id, points[p.id]!])),
    pointSeconds,
    seconds: (kept?.seconds ?? 0) + Math.round((performance.now() - t0) / 1000),
  };
  mkdirSync(dirname(a.out), { recursive: true });
  writeFileSync(a.out, JSON.stringify(run) + '\n');
  console.log(`wrote ${a.out} in ${run.seconds} s`);
}

// Run only as a script: the test imports the settings without training.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
