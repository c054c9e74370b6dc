// Chapter 9's prose numbers: every name the chapter uses resolves against the committed study and
// the memory walk, an unknown name or a point the study lacks fails (so the build fails), and the
// comparisons the prose states in words hold in the committed numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRACTICE_RUN, STUDIES, practiceMemory, type FileSource } from '../../../demos/index';
import { derived, practiceNumber, type PracticeFacts } from './facts';

const files: FileSource = { read: async (path) => new Uint8Array(readFileSync(join(process.cwd(), 'public', path))) };
const chapter = readFileSync(join(process.cwd(), 'content/chapters/09-in-practice.mdx'), 'utf8');
const names = [...chapter.matchAll(/<PracticeNumber name="([^"]+)" \/>/g)].map((m) => m[1]!);
const facts = async (): Promise<PracticeFacts> => ({ run: PRACTICE_RUN, memory: await practiceMemory(undefined, {}, { files }) });

describe('chapter 9 numbers', () => {
  it('every name in the chapter resolves', async () => {
    const f = await facts();
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(practiceNumber(f, n), n).toMatch(/\S/);
  });

  it('an unknown name, or a point the study does not hold, fails', async () => {
    const f = await facts();
    expect(() => practiceNumber(f, 'nonsense')).toThrow(/unknown/);
    expect(() => practiceNumber(f, 'point.no-such-point.loss')).toThrow(/no point "no-such-point"/);
  });

  it('quotes the committed numbers as they are', async () => {
    const f = await facts();
    expect(practiceNumber(f, 'point.qv-r8.loss')).toBe(PRACTICE_RUN.points['qv-r8']!.task.loss.toFixed(3));
    expect(practiceNumber(f, 'base.austen')).toBe(PRACTICE_RUN.base.austen.loss.toFixed(3));
    const d = derived(PRACTICE_RUN);
    expect(practiceNumber(f, 'lr.ratio')).toBe(String(Math.round(d.bestLora!.p.spec.lr / d.bestFull!.p.spec.lr)));
  });

  it('the memory the prose describes: activations dominate the small model, optimizer and gradients dominate full 7B', async () => {
    const { memory } = await facts();
    const [smallLora, smallFull, bigLora, bigFull, qlora] = memory.rows;
    expect(smallLora!.memory.activations).toBeGreaterThan(smallLora!.memory.frozen);
    expect(smallFull!.memory.activations).toBeGreaterThan(smallFull!.memory.optimizer);
    expect(smallLora!.total).toBeGreaterThan(smallFull!.total / 2); // "saves well under half"
    expect(bigFull!.memory.optimizer + bigFull!.memory.gradients).toBeGreaterThan(bigFull!.total / 2);
    expect(bigLora!.memory.frozen + bigLora!.memory.activations).toBeGreaterThan(0.99 * bigLora!.total);
    expect(qlora!.memory.frozen).toBeLessThan(bigLora!.memory.frozen / 5);
  });

  // Each claim the chapter makes in words, on the committed numbers: a re-run that changes one fails here.
  it('the comparisons the prose states in words hold in the committed study', () => {
    const P = PRACTICE_RUN.points;
    const pair = (a: string, b: string, on: 'task' | 'austen' = 'task') => {
      const d = P[a]![on].windows.map((w, i) => w - P[b]![on].windows[i]!);
      const m = d.reduce((x, y) => x + y, 0) / d.length;
      const se = Math.sqrt(d.reduce((x, y) => x + (y - m) ** 2, 0) / (d.length - 1) / d.length);
      return { m, se };
    };
    const below = (a: string, b: string, on: 'task' | 'austen' = 'task') => { const p = pair(a, b, on); return p.m < -2 * p.se; }; // a measurably lower
    const same = (a: string, b: string, on: 'task' | 'austen' = 'task') => { const p = pair(a, b, on); return Math.abs(p.m) < 2 * p.se; };
    const L = (id: string) => P[id]!.task.loss;
    const A = (id: string) => P[id]!.austen.loss;
    const base = PRACTICE_RUN.base;
    // Where the adapters sit.
    expect(Math.min(L('qv-r8'), L('attn-r8'), L('all-r8'))).toBeGreaterThan(L('mlp-r8'));
    expect(below('mlp-r8', 'qv-r8')).toBe(true);
    expect(same('mlp-r3', 'mlp-r8') || below('mlp-r3', 'mlp-r8')).toBe(true);
    expect(same('all-r2', 'all-r8')).toBe(true);
    expect(below('attn-r4', 'qv-r8')).toBe(true);
    for (const m of ['mlp-r8', 'mlp-r3']) for (const a of ['qv-r8', 'attn-r8', 'attn-r4']) expect(L(m), `${m} < ${a}`).toBeLessThan(L(a));
    expect(below('all-r8', 'mlp-r8')).toBe(false);
    // Learning rate: each best rate inside its sweep, LoRA's fastest rate worse than the base, full at LoRA's rate no better than the base.
    const d = derived(PRACTICE_RUN);
    for (const [ids, best] of [[STUDIES.lr.lora, d.bestLora!.id], [STUDIES.lr.full, d.bestFull!.id]] as const) {
      expect(ids.indexOf(best as never)).toBeGreaterThan(0);
      expect(ids.indexOf(best as never)).toBeLessThan(ids.length - 1);
    }
    expect(L('qv-lr3e-2')).toBeGreaterThan(base.task.loss);
    expect(Math.abs(base.task.loss - L('full-lr3e-3'))).toBeLessThan(P['full-lr3e-3']!.task.se);
    expect(A('full-lr3e-3')).toBeGreaterThan(base.austen.loss);
    // Rank and α.
    expect(below('qv-r8', 'qv-r1')).toBe(true);
    expect(same('qv-r64', 'qv-r8')).toBe(true);
    expect(L('mlp-r3')).toBeLessThan(L('qv-r64'));
    expect(below('qv-r64-sqrt', 'qv-r8-sqrt')).toBe(false);
    expect(below('qv-r64', 'qv-r64-sqrt', 'austen')).toBe(true);
    // Forgetting.
    const fall = (id: string) => base.task.loss - L(id);
    const rise = (id: string) => A(id) - base.austen.loss;
    expect(fall('all-r8')).toBeGreaterThan(fall('qv-r8'));
    expect(rise('all-r8')).toBeGreaterThan(rise('qv-r8'));
    expect(d.bestFull!.id).toBe('full-lr3e-4');
    for (const id of [STUDIES.forgetting.qv, STUDIES.forgetting.all, ...STUDIES.forgetting.full]) expect(fall('full-lr3e-4')).toBeGreaterThanOrEqual(fall(id));
    expect(rise('full-lr3e-4')).toBeGreaterThan(rise('qv-r8'));
    expect(rise('full-lr3e-4')).toBeLessThan(rise('all-r8'));
    const targetsRise = Math.max(...[...STUDIES.targets.equalRank, ...STUDIES.targets.equalBudget].map(rise));
    for (const id of ['full-lr1e-3', 'full-lr3e-3']) expect(rise(id)).toBeGreaterThan(targetsRise);
    expect(same('full-lr1e-4', 'all-r8')).toBe(true);
    expect(below('full-lr1e-4', 'all-r8', 'austen')).toBe(true);
    // Evaluation: the standard error falls with the windows; the overfitting curve turns up, past the base model.
    const w = PRACTICE_RUN.windowSweep;
    expect(w[w.length - 1]!.se).toBeLessThan(w[0]!.se);
    expect(base.task.loss).toBeLessThan(w[w.length - 1]!.loss); // "rate the base model lower than many more windows would"
    expect(d.low!.step).toBeGreaterThan(0);
    expect(d.low!.step).toBeLessThan(d.over!.spec.steps);
    expect(d.over!.task.loss).toBeGreaterThan(base.task.loss);
    expect(d.over!.task.loss - d.low!.loss).toBeGreaterThan(2 * d.over!.task.se);
  });
});
