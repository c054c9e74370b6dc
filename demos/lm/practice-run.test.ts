// Chapter 9's committed study (demos/lm/results/practice.json, by scripts/lm/practice-run.ts) is
// what the engine computes: one point per training experiment re-runs its first graph run of
// steps through the same experiment function the page calls, and must equal the file exactly;
// the base model's held-out losses and the overfitting run's first held-out measurement too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine';
import { DEFAULTS } from '../experiments/defaults';
import { lmEngineFor } from '../experiments/language-model';
import { practicePoint } from '../experiments/practice';
import { STUDIES, STUDY_POINTS, type PracticeRun } from '../experiments/practice-study';
import type { FileSource, PracticeSettings } from '../experiments/types';
import type { Engine } from '../types';
import { LanguageModelEngine } from './engine';
import { encode } from './model';
import { heldOut, type Point } from './practice';
import { ROOT, loadModelDir } from '../test-support/lm';

const run = JSON.parse(readFileSync(join(import.meta.dirname, 'results', 'practice.json'), 'utf8')) as PracticeRun;
const files: FileSource = { read: async (path) => new Uint8Array(readFileSync(join(ROOT, 'public', path))) };
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(() => engine.dispose());

/** A committed point's settings, cut to its first graph run (K steps). */
function firstRun(p: Point): PracticeSettings {
  const K = DEFAULTS.practiceTargets.stepsPerRun;
  const s = p.spec;
  return {
    ...DEFAULTS.practiceTargets,
    method: s.method, targets: s.targets, rank: s.rank, alpha: s.alpha, scalingRule: s.rslora ? 'alpha/sqrt(r)' : 'alpha/r',
    lr: s.lr, batch: s.batch, seed: s.seed, slice: s.slice, steps: K, evalEvery: s.evalEvery > 0 ? K : 0, valWindows: run.options.valWindows,
  };
}

// One point per experiment: where the adapters sit, the rates (full fine-tuning), rank under α/√r,
// the all-linear point of the forgetting study, and the overfitting run.
const CHECKED = [STUDIES.targets.equalBudget[1], STUDIES.lr.full[1], STUDIES.rank['alpha/sqrt(r)'][2], STUDIES.forgetting.all, STUDIES.evaluation.overfit];

describe('the committed chapter-9 study', () => {
  it('holds every point of the study, each complete', () => {
    expect(Object.keys(run.points).sort()).toEqual(STUDY_POINTS.map((p) => p.id).sort());
    for (const p of Object.values(run.points)) {
      expect(p.trainLosses).toHaveLength(p.spec.steps);
      expect(p.task.windows).toHaveLength(run.options.valWindows);
      expect(p.austen.windows).toHaveLength(run.options.valWindows);
    }
  });

  it('reproduces the base model’s held-out losses on the same windows', async () => {
    const lm = lmEngineFor(engine, LanguageModelEngine);
    const model = loadModelDir('public/models/austen-char-llama');
    const text = (p: string) => encode(model, readFileSync(join(ROOT, 'public', p), 'utf8'));
    expect(await heldOut(lm, model, text('corpora/devil-val.txt'), run.options.valWindows)).toEqual(run.base.task);
    expect(await heldOut(lm, model, text('corpora/austen-val.txt'), run.options.valWindows)).toEqual(run.base.austen);
  }, 120_000);

  for (const id of CHECKED) {
    it(`re-runs the first steps of "${id}" exactly`, async () => {
      const p = run.points[id]!;
      const s = firstRun(p);
      const r = await practicePoint(engine, s, s, { files });
      expect(r.point!.trainLosses).toEqual(p.trainLosses.slice(0, s.steps));
      if (p.curve.length) expect(r.point!.curve[0]).toEqual(p.curve[0]);
    }, 300_000);
  }
});
