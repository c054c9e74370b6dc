/**
 * Chapter 9's numbers, computed when the site is built (never typed into the prose): the
 * committed study (demos/lm/results/practice.json, written by scripts/lm/practice-run.ts) and
 * the memory of a training step read off the engine's graphs (the practice-memory demo's
 * build-time result). `<PracticeNumber name="…" />` shows one; an unknown name fails the build.
 *
 * Names are general, so prose can quote any committed point: `point.<id>.loss|se|austen|austenSe|trainable|rank|lr`,
 * `diffAusten.<a>.<b>`, `diffAustenSe.<a>.<b>` (the same on Austen), `fall.<id>` (how far the task's held-out loss fell from the base model), `rise.<id>` (how far
 * Austen's rose), `diff.<a>.<b>` and `diffSe.<a>.<b>` (a − b on the same windows, and its paired
 * standard error), `se.<windows>` (the base model's standard error at that many windows),
 * `mem.<small|big>.<lora|full|qlora>.<frozen|trainable|activations|gradients|optimizer|total>`.
 */
import { DEFAULTS, LLAMA_7B, PRACTICE_RUN, STUDIES, type HeldOut, type PracticeMemoryResult, type PracticeRun, type Point } from '../../../demos/index';
import { buildResult } from '../demo/build-results';
import { bytesLabel, targetsLabel } from '../../charts/practice';

export interface PracticeFacts {
  run: PracticeRun;
  memory: PracticeMemoryResult;
}

let facts: Promise<PracticeFacts> | undefined;
export function practiceFacts(): Promise<PracticeFacts> {
  facts ??= (async () => ({ run: PRACTICE_RUN, memory: await buildResult('practiceMemory') }))();
  return facts;
}

const f3 = (v: number) => v.toFixed(3);
const f2 = (v: number) => v.toFixed(2);
const count = (n: number) => Math.round(n).toLocaleString('en');

function paired(a: HeldOut, b: HeldOut): { diff: number; se: number } {
  const d = a.windows.map((w, i) => w - b.windows[i]!);
  const mean = d.reduce((s, x) => s + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
  return { diff: mean, se: sd / Math.sqrt(d.length) };
}

/** The study's derived results, shared by the prose and its test. */
export function derived(run: PracticeRun) {
  const pts = (ids: readonly string[]) => ids.flatMap((id) => (run.points[id] ? [{ id, p: run.points[id]! }] : []));
  const best = (xs: { id: string; p: Point }[]) => xs.reduce<{ id: string; p: Point } | undefined>((b, x) => (!b || x.p.task.loss < b.p.task.loss ? x : b), undefined);
  const bestLora = best(pts(STUDIES.lr.lora));
  const bestFull = best(pts(STUDIES.lr.full));
  const over = run.points[STUDIES.evaluation.overfit];
  const low = over?.curve.reduce<Point['curve'][number] | undefined>((b, c) => (!b || c.loss < b.loss ? c : b), undefined);
  return {
    bestEqualRank: best(pts(STUDIES.targets.equalRank)),
    bestEqualBudget: best(pts(STUDIES.targets.equalBudget)),
    bestLora, bestFull, over, low,
  };
}

export function practiceNumber(f: PracticeFacts, name: string): string {
  const run = f.run;
  const d = derived(run);
  const point = (id: string): Point => {
    const p = run.points[id];
    if (!p) throw new Error(`<PracticeNumber name="${name}">: the committed study has no point "${id}" (${Object.keys(run.points).join(', ')}).`);
    return p;
  };
  const parts = name.split('.');
  const [head, a, b, c] = parts;
  const need = <T,>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`<PracticeNumber name="${name}">: ${what} is not in the committed study.`);
    return v;
  };
  if (head === 'point' && a && b) {
    const p = point(a);
    const v: Record<string, () => string> = {
      loss: () => f3(p.task.loss), se: () => f3(p.task.se), austen: () => f3(p.austen.loss), austenSe: () => f3(p.austen.se),
      trainable: () => count(p.trainable), rank: () => String(p.spec.rank), lr: () => String(p.spec.lr), targets: () => targetsLabel(p.spec.targets),
      epochs: () => p.epochs.toFixed(0), evalEvery: () => String(p.spec.evalEvery), slice: () => count(p.spec.slice), steps: () => count(p.spec.steps),
      trainLast: () => f2(p.trainLosses[p.trainLosses.length - 1]!),
      // The LoRA scale s = α/r or α/√r (chapter 0).
      s: () => (p.spec.rslora ? p.spec.alpha / Math.sqrt(p.spec.rank) : p.spec.alpha / p.spec.rank).toFixed(2),
    };
    if (v[b]) return v[b]!();
  }
  if (head === 'fall' && a && !b) return f3(run.base.task.loss - point(a).task.loss);
  if (head === 'rise' && a && !b) return f3(point(a).austen.loss - run.base.austen.loss);
  if ((head === 'diff' || head === 'diffSe') && a && b && !c) {
    const p = paired(point(a).task, point(b).task);
    return f3(head === 'diff' ? p.diff : p.se);
  }
  if ((head === 'diffAusten' || head === 'diffAustenSe') && a && b && !c) {
    const p = paired(point(a).austen, point(b).austen);
    return f3(head === 'diffAusten' ? p.diff : p.se);
  }
  if (head === 'sRatio' && a && b && !c) {
    // How many times the LoRA scale of a is that of b (s = α/r or α/√r).
    const s = (p: Point) => (p.spec.rslora ? p.spec.alpha / Math.sqrt(p.spec.rank) : p.spec.alpha / p.spec.rank);
    return String(Math.round(s(point(a)) / s(point(b))));
  }
  if (head === 'se' && a && !b) return f3(need(run.windowSweep.find((w) => String(w.windows) === a), `a sweep at ${a} windows`).se);
  if (head === 'mem' && a && b && c) {
    const model = a === 'small' ? f.memory.rows[0]?.model : a === 'big' ? f.memory.rows.find((r) => r.model !== f.memory.rows[0]?.model)?.model : undefined;
    const row = f.memory.rows.find((r) => r.model === model && r.method === b);
    if (row) {
      if (c === 'total') return bytesLabel(row.total);
      if (c in row.memory) return bytesLabel(row.memory[c as keyof typeof row.memory] as number);
    }
  }
  const values: Record<string, () => string> = {
    steps: () => count(run.options.steps),
    batch: () => String(run.options.batch),
    windows: () => String(run.options.valWindows),
    minutes: () => String(Math.round(run.seconds / 60)),
    'seconds.min': () => String(Math.min(...Object.values(run.pointSeconds))),
    'seconds.max': () => String(Math.max(...Object.values(run.pointSeconds))),
    points: () => String(Object.keys(run.points).length),
    'base.loss': () => f3(run.base.task.loss),
    'base.se': () => f3(run.base.task.se),
    'base.austen': () => f3(run.base.austen.loss),
    'base.austenSe': () => f3(run.base.austen.se),
    'best.equalRank': () => targetsLabel(need(d.bestEqualRank, 'the equal-rank points').p.spec.targets),
    'best.equalBudget': () => targetsLabel(need(d.bestEqualBudget, 'the equal-budget points').p.spec.targets),
    'lr.bestLora': () => String(need(d.bestLora, 'the LoRA rate sweep').p.spec.lr),
    'lr.bestFull': () => String(need(d.bestFull, 'the full fine-tuning rate sweep').p.spec.lr),
    'lr.ratio': () => String(Math.round(need(d.bestLora, 'the LoRA rate sweep').p.spec.lr / need(d.bestFull, 'the full rate sweep').p.spec.lr)),
    'lr.bestLoraLoss': () => f3(need(d.bestLora, 'the LoRA rate sweep').p.task.loss),
    'lr.bestFullLoss': () => f3(need(d.bestFull, 'the full rate sweep').p.task.loss),
    'lr.bestFullAusten': () => f3(need(d.bestFull, 'the full rate sweep').p.austen.loss),
    'lr.bestFullRise': () => f3(need(d.bestFull, 'the full rate sweep').p.austen.loss - run.base.austen.loss),
    'sweep.first': () => f3(run.windowSweep[0]!.loss),
    'sweep.last': () => f3(run.windowSweep[run.windowSweep.length - 1]!.loss),
    'sweep.lastWindows': () => String(run.windowSweep[run.windowSweep.length - 1]!.windows),
    'overfit.lowStep': () => String(need(d.low, 'the overfitting curve').step),
    'overfit.lowLoss': () => f3(need(d.low, 'the overfitting curve').loss),
    'overfit.lowSe': () => f3(need(d.low, 'the overfitting curve').se),
    'overfit.final': () => f3(need(d.over, 'the overfitting run').task.loss),
    'overfit.finalSe': () => f3(need(d.over, 'the overfitting run').task.se),
    'overfit.rise': () => f3(need(d.over, 'the overfitting run').task.loss - need(d.low, 'the overfitting curve').loss),
    'mem.batch': () => String(f.memory.settings.batch),
    'mem.context': () => String(f.memory.settings.context),
    'mem.bigBatch': () => String(f.memory.settings.bigBatch),
    'mem.bigContext': () => count(f.memory.settings.bigContext),
    'mem.rank': () => String(f.memory.settings.rank),
    'practice.lr': () => String(DEFAULTS.practiceTargets.lr),
    'big.hidden': () => String(LLAMA_7B.hiddenSize),
    'big.layers': () => String(LLAMA_7B.numLayers),
    'big.heads': () => String(LLAMA_7B.numHeads),
    'big.mlp': () => String(LLAMA_7B.intermediateSize),
    'big.vocab': () => String(LLAMA_7B.vocabSize),
  };
  const v = values[name];
  if (!v) throw new Error(`<PracticeNumber name="${name}">: unknown; use point.<id>.<loss|se|austen|austenSe|trainable|rank|lr|targets|epochs|slice|steps|trainLast>, fall.<id>, rise.<id>, diff.<a>.<b>, diffSe.<a>.<b>, diffAusten.<a>.<b>, diffAustenSe.<a>.<b>, se.<windows>, mem.<small|big>.<lora|full|qlora>.<kind|total>, or one of ${Object.keys(values).join(', ')}.`);
  return v();
}
